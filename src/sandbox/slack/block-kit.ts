/**
 * Block Kit limit validation for the local Slack Web API double.
 *
 * The limits are the ones Slack enforces (Slack's Block Kit reference,
 * https://api.slack.com/reference/block-kit). Every problem is reported as a readable string that
 * starts with a JSON-ish path, e.g.
 *   `blocks[3].text.text: section text is 3001 chars (max 3000)`
 * so that a failing test says exactly which block broke which limit.
 *
 * Pure functions, no I/O: usable from unit tests without the HTTP server.
 */

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100, // modal and Home tab
  messageText: 40_000,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  url: 3000,
  accessibilityLabel: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  selectOptions: 100,
  selectOptionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  overflowOptions: 5,
  checkboxOptions: 10,
  placeholder: 150,
  imageUrl: 3000,
  altText: 2000,
  imageTitle: 2000,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMaxLength: 3000,
  markdownBlockText: 12_000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

const L = BLOCK_KIT_LIMITS;

/** Outcome of validating a message: errors make Slack reject it, warnings don't. */
export interface MessageValidation {
  /** Limit violations: Slack answers `invalid_blocks` (or `msg_too_long` for the text). */
  errors: string[];
  /** Accepted by Slack but wrong for us (e.g. blocks without a `text` fallback). */
  warnings: string[];
  /** True when the only error is the top-level `text` being too long (`msg_too_long`). */
  textTooLong: boolean;
}

export type Surface = 'message' | 'modal' | 'home';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Length as Slack counts it (UTF-16 code units is close enough; JS string length). */
function len(s: string): number {
  return s.length;
}

class Collector {
  readonly errors: string[] = [];
  readonly blockIds = new Set<string>();

  add(path: string, message: string): void {
    this.errors.push(`${path}: ${message}`);
  }

  /** Optional string field with a max length. */
  str(path: string, v: unknown, max: number, what: string, required = false): void {
    if (v === undefined || v === null) {
      if (required) this.add(path, `${what} is required`);
      return;
    }
    if (typeof v !== 'string') {
      this.add(path, `${what} must be a string`);
      return;
    }
    if (required && v.length === 0) this.add(path, `${what} must not be empty`);
    if (len(v) > max) this.add(path, `${what} is ${len(v)} chars (max ${max})`);
  }

  /**
   * A text object: `{type: 'plain_text'|'mrkdwn', text: non-empty}`.
   * `plainOnly` for places where Slack only accepts plain_text.
   */
  text(
    path: string,
    v: unknown,
    opts: { max: number; what: string; plainOnly?: boolean; required?: boolean },
  ): void {
    if (v === undefined || v === null) {
      if (opts.required !== false) this.add(path, `${opts.what} is required`);
      return;
    }
    if (!isObj(v)) {
      this.add(path, `${opts.what} must be a text object`);
      return;
    }
    const type = v['type'];
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.add(`${path}.type`, `text object type must be plain_text or mrkdwn (got ${JSON.stringify(type)})`);
    } else if (opts.plainOnly && type !== 'plain_text') {
      this.add(`${path}.type`, `${opts.what} must be plain_text (got ${type})`);
    }
    const text = v['text'];
    if (typeof text !== 'string' || text.length === 0) {
      this.add(`${path}.text`, `${opts.what} must be a non-empty string`);
      return;
    }
    if (len(text) > opts.max) {
      this.add(`${path}.text`, `${opts.what} is ${len(text)} chars (max ${opts.max})`);
    }
  }

  array(path: string, v: unknown, what: string, min: number, max: number): unknown[] | undefined {
    if (!Array.isArray(v)) {
      this.add(path, `${what} must be an array`);
      return undefined;
    }
    if (v.length < min) this.add(path, `${what} has ${v.length} items (min ${min})`);
    if (v.length > max) this.add(path, `${what} has ${v.length} items (max ${max})`);
    return v;
  }

  confirm(path: string, v: unknown): void {
    if (v === undefined) return;
    if (!isObj(v)) {
      this.add(path, 'confirm must be an object');
      return;
    }
    this.text(`${path}.title`, v['title'], { max: L.confirmTitle, what: 'confirm title', plainOnly: true });
    this.text(`${path}.text`, v['text'], { max: L.confirmText, what: 'confirm text' });
    this.text(`${path}.confirm`, v['confirm'], { max: L.confirmButton, what: 'confirm button', plainOnly: true });
    this.text(`${path}.deny`, v['deny'], { max: L.confirmButton, what: 'deny button', plainOnly: true });
    const style = v['style'];
    if (style !== undefined && style !== 'primary' && style !== 'danger') {
      this.add(`${path}.style`, `confirm style must be primary or danger`);
    }
  }

  option(path: string, v: unknown, opts: { plainOnly: boolean; textMax?: number }): void {
    if (!isObj(v)) {
      this.add(path, 'option must be an object');
      return;
    }
    this.text(`${path}.text`, v['text'], {
      max: opts.textMax ?? L.optionText,
      what: 'option text',
      plainOnly: opts.plainOnly,
    });
    this.str(`${path}.value`, v['value'], L.optionValue, 'option value', true);
    this.text(`${path}.description`, v['description'], {
      max: L.optionDescription,
      what: 'option description',
      required: false,
    });
    this.str(`${path}.url`, v['url'], L.url, 'option url');
  }

  options(path: string, v: unknown, opts: { min: number; max: number; plainOnly: boolean }): void {
    const arr = this.array(path, v, 'options', opts.min, opts.max);
    arr?.forEach((o, i) => this.option(`${path}[${i}]`, o, { plainOnly: opts.plainOnly }));
  }

  element(path: string, v: unknown): void {
    if (!isObj(v)) {
      this.add(path, 'element must be an object');
      return;
    }
    const type = v['type'];
    if (typeof type !== 'string') {
      this.add(`${path}.type`, 'element type is required');
      return;
    }
    // Common to (nearly) every interactive element.
    this.str(`${path}.action_id`, v['action_id'], L.actionId, 'action_id');
    this.confirm(`${path}.confirm`, v['confirm']);
    const placeholder = (): void =>
      this.text(`${path}.placeholder`, v['placeholder'], {
        max: L.placeholder,
        what: 'placeholder',
        plainOnly: true,
        required: false,
      });

    switch (type) {
      case 'button': {
        this.text(`${path}.text`, v['text'], { max: L.buttonText, what: 'button text', plainOnly: true });
        this.str(`${path}.value`, v['value'], L.buttonValue, 'button value');
        this.str(`${path}.url`, v['url'], L.url, 'button url');
        this.str(`${path}.accessibility_label`, v['accessibility_label'], L.accessibilityLabel, 'accessibility_label');
        const style = v['style'];
        if (style !== undefined && style !== 'primary' && style !== 'danger') {
          this.add(`${path}.style`, `button style must be primary or danger (got ${JSON.stringify(style)})`);
        }
        return;
      }
      case 'static_select':
      case 'multi_static_select': {
        placeholder();
        const hasOptions = v['options'] !== undefined;
        const hasGroups = v['option_groups'] !== undefined;
        if (hasOptions === hasGroups) {
          this.add(path, `${type} needs exactly one of options or option_groups`);
        }
        if (hasOptions) {
          this.options(`${path}.options`, v['options'], { min: 1, max: L.selectOptions, plainOnly: true });
        }
        if (hasGroups) {
          const groups = this.array(`${path}.option_groups`, v['option_groups'], 'option_groups', 1, L.selectOptionGroups);
          groups?.forEach((g, i) => {
            const gp = `${path}.option_groups[${i}]`;
            if (!isObj(g)) {
              this.add(gp, 'option group must be an object');
              return;
            }
            this.text(`${gp}.label`, g['label'], { max: L.optionGroupLabel, what: 'option group label', plainOnly: true });
            this.options(`${gp}.options`, g['options'], { min: 1, max: L.selectOptions, plainOnly: true });
          });
        }
        if (v['initial_option'] !== undefined) {
          this.option(`${path}.initial_option`, v['initial_option'], { plainOnly: true });
        }
        return;
      }
      case 'overflow':
        this.options(`${path}.options`, v['options'], { min: 1, max: L.overflowOptions, plainOnly: true });
        return;
      case 'checkboxes':
      case 'radio_buttons':
        this.options(`${path}.options`, v['options'], { min: 1, max: L.checkboxOptions, plainOnly: false });
        return;
      case 'plain_text_input': {
        placeholder();
        const maxLength = v['max_length'];
        if (typeof maxLength === 'number' && maxLength > L.plainTextInputMaxLength) {
          this.add(`${path}.max_length`, `max_length is ${maxLength} (max ${L.plainTextInputMaxLength})`);
        }
        return;
      }
      case 'image':
        this.image(path, v);
        return;
      case 'external_select':
      case 'multi_external_select':
      case 'users_select':
      case 'multi_users_select':
      case 'conversations_select':
      case 'multi_conversations_select':
      case 'channels_select':
      case 'multi_channels_select':
      case 'datepicker':
      case 'timepicker':
      case 'datetimepicker':
      case 'email_text_input':
      case 'url_text_input':
      case 'number_input':
        placeholder();
        return;
      case 'file_input':
      case 'rich_text_input':
      case 'workflow_button':
        return;
      default:
        this.add(`${path}.type`, `unknown element type ${JSON.stringify(type)}`);
    }
  }

  image(path: string, v: Obj): void {
    if (v['slack_file'] === undefined) {
      this.str(`${path}.image_url`, v['image_url'], L.imageUrl, 'image_url', true);
    }
    this.str(`${path}.alt_text`, v['alt_text'], L.altText, 'alt_text', true);
  }

  block(path: string, v: unknown, surface: Surface): void {
    if (!isObj(v)) {
      this.add(path, 'block must be an object');
      return;
    }
    const blockId = v['block_id'];
    if (blockId !== undefined) {
      this.str(`${path}.block_id`, blockId, L.blockId, 'block_id');
      if (typeof blockId === 'string') {
        if (this.blockIds.has(blockId)) this.add(`${path}.block_id`, `duplicate block_id ${JSON.stringify(blockId)}`);
        this.blockIds.add(blockId);
      }
    }
    const type = v['type'];
    switch (type) {
      case 'section': {
        const hasText = v['text'] !== undefined;
        const hasFields = v['fields'] !== undefined;
        if (!hasText && !hasFields) this.add(path, 'section needs text or fields');
        if (hasText) this.text(`${path}.text`, v['text'], { max: L.sectionText, what: 'section text' });
        if (hasFields) {
          const fields = this.array(`${path}.fields`, v['fields'], 'section fields', 1, L.sectionFields);
          fields?.forEach((f, i) =>
            this.text(`${path}.fields[${i}]`, f, { max: L.sectionFieldText, what: 'section field' }),
          );
        }
        if (v['accessory'] !== undefined) this.element(`${path}.accessory`, v['accessory']);
        return;
      }
      case 'header':
        this.text(`${path}.text`, v['text'], { max: L.headerText, what: 'header text', plainOnly: true });
        return;
      case 'context': {
        const els = this.array(`${path}.elements`, v['elements'], 'context elements', 1, L.contextElements);
        els?.forEach((e, i) => {
          const ep = `${path}.elements[${i}]`;
          if (isObj(e) && e['type'] === 'image') this.image(ep, e);
          else this.text(ep, e, { max: L.sectionText, what: 'context text' });
        });
        return;
      }
      case 'actions': {
        const els = this.array(`${path}.elements`, v['elements'], 'actions elements', 1, L.actionsElements);
        els?.forEach((e, i) => this.element(`${path}.elements[${i}]`, e));
        // Slack: an action_id must be unique among the elements of its block
        const ids = (els ?? []).map((e) => (isObj(e) ? e['action_id'] : undefined)).filter((id): id is string => typeof id === 'string');
        for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) this.add(`${path}.elements`, `duplicate action_id ${id}`);
        return;
      }
      case 'divider':
        return;
      case 'image':
        this.image(path, v);
        this.text(`${path}.title`, v['title'], {
          max: L.imageTitle,
          what: 'image title',
          plainOnly: true,
          required: false,
        });
        return;
      case 'input':
        this.text(`${path}.label`, v['label'], { max: L.inputLabel, what: 'input label', plainOnly: true });
        this.text(`${path}.hint`, v['hint'], { max: L.inputHint, what: 'input hint', plainOnly: true, required: false });
        if (v['element'] === undefined) this.add(`${path}.element`, 'input element is required');
        else this.element(`${path}.element`, v['element']);
        return;
      case 'rich_text':
        if (!Array.isArray(v['elements'])) this.add(`${path}.elements`, 'rich_text elements must be an array');
        return;
      case 'markdown':
        if (surface !== 'message') this.add(path, 'markdown blocks are only allowed in messages');
        this.str(`${path}.text`, v['text'], L.markdownBlockText, 'markdown text', true);
        return;
      case 'file':
      case 'video':
        return;
      default:
        this.add(`${path}.type`, `unknown block type ${JSON.stringify(type)}`);
    }
  }

  blocks(path: string, v: unknown, surface: Surface): void {
    if (!Array.isArray(v)) {
      this.add(path, 'blocks must be an array');
      return;
    }
    const max = surface === 'message' ? L.messageBlocks : L.surfaceBlocks;
    if (v.length > max) this.add(path, `${v.length} blocks (max ${max} in a ${surface})`);
    v.forEach((b, i) => this.block(`${path}[${i}]`, b, surface));
  }
}

/** Validate a `blocks` array for a surface. Returns the list of violations (empty = valid). */
export function validateBlocks(blocks: unknown, surface: Surface = 'message', path = 'blocks'): string[] {
  const c = new Collector();
  c.blocks(path, blocks, surface);
  return c.errors;
}

/**
 * Validate a message as sent to chat.postMessage / chat.update / chat.postEphemeral /
 * a response_url. `blocks` must already be decoded from JSON.
 * `requireFallback`: warn when blocks are present without a top-level `text`.
 */
export function validateMessage(
  msg: { text?: unknown; blocks?: unknown },
  opts: { requireFallback?: boolean } = {},
): MessageValidation {
  const c = new Collector();
  const warnings: string[] = [];
  let textTooLong = false;
  const { text, blocks } = msg;
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') {
      c.add('text', 'text must be a string');
    } else if (len(text) > L.messageText) {
      textTooLong = true;
      c.add('text', `message text is ${len(text)} chars (max ${L.messageText})`);
    }
  }
  if (blocks !== undefined && blocks !== null) {
    c.blocks('blocks', blocks, 'message');
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    const hasText = typeof text === 'string' && text.trim().length > 0;
    if (hasBlocks && !hasText && opts.requireFallback !== false) {
      warnings.push('text: message has blocks but no top-level text fallback (notifications and screen readers use it)');
    }
  }
  return { errors: c.errors, warnings, textTooLong: textTooLong && c.errors.length === 1 };
}

/** Validate a view payload (views.open / views.update / views.push / views.publish). */
export function validateView(view: unknown, path = 'view'): string[] {
  const c = new Collector();
  if (!isObj(view)) {
    c.add(path, 'view must be an object');
    return c.errors;
  }
  const type = view['type'];
  if (type !== 'modal' && type !== 'home') {
    c.add(`${path}.type`, `view type must be modal or home (got ${JSON.stringify(type)})`);
    return c.errors;
  }
  if (type === 'modal') {
    c.text(`${path}.title`, view['title'], { max: L.viewTitle, what: 'modal title', plainOnly: true });
    c.text(`${path}.submit`, view['submit'], {
      max: L.viewButton,
      what: 'modal submit',
      plainOnly: true,
      required: false,
    });
    c.text(`${path}.close`, view['close'], { max: L.viewButton, what: 'modal close', plainOnly: true, required: false });
    const blocks = view['blocks'];
    if (
      Array.isArray(blocks) &&
      view['submit'] === undefined &&
      blocks.some((b) => isObj(b) && b['type'] === 'input')
    ) {
      c.add(`${path}.submit`, 'a modal with input blocks needs a submit button');
    }
  }
  c.blocks(`${path}.blocks`, view['blocks'], type);
  c.str(`${path}.private_metadata`, view['private_metadata'], L.privateMetadata, 'private_metadata');
  c.str(`${path}.callback_id`, view['callback_id'], L.callbackId, 'callback_id');
  c.str(`${path}.external_id`, view['external_id'], L.externalId, 'external_id');
  return c.errors;
}

/**
 * Special mrkdwn sequences found in `text` that ping people or disguise links:
 * `<!channel>`, `<!here>`, `<!everyone>` (optionally with `|label`), `<!subteam^S…>`,
 * labelled links `<http(s)://…|label>`, and user mentions `<@U…>` / `<@W…>`.
 *
 * Text built from user or AWS input must escape `&`, `<`, `>` so none of these
 * appear unless the app put them there on purpose. Returns the matches in order.
 */
export function findUnescapedSpecials(text: string): string[] {
  const re =
    /<!(?:channel|here|everyone)(?:\|[^<>]*)?>|<!subteam\^[A-Z0-9]+(?:\|[^<>]*)?>|<https?:[^<>|]*\|[^<>]*>|<@[UW][A-Z0-9]+(?:\|[^<>]*)?>/g;
  return Array.from(text.matchAll(re), (m) => m[0]);
}

/**
 * Every mrkdwn string in a message (top-level text when not plain, and every
 * `mrkdwn` text object inside blocks), with its path. Handy with
 * {@link findUnescapedSpecials} to assert nothing in a posted message pings or phishes.
 */
export function collectMrkdwn(msg: { text?: unknown; blocks?: unknown }): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  if (typeof msg.text === 'string') out.push({ path: 'text', text: msg.text });
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
      return;
    }
    if (!isObj(v)) return;
    if (v['type'] === 'mrkdwn' && typeof v['text'] === 'string') {
      out.push({ path: `${path}.text`, text: v['text'] });
      return;
    }
    if (v['type'] === 'markdown' && typeof v['text'] === 'string') {
      out.push({ path: `${path}.text`, text: v['text'] });
    }
    for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(msg.blocks, 'blocks');
  return out;
}
