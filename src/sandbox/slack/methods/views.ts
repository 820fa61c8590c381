/**
 * views.open, views.push (single-use trigger_ids), views.update (by view_id or external_id,
 * optional hash), views.publish (one Home tab per user). View violations answer
 * `invalid_arguments`, as Slack does.
 */
import { validateView } from '../block-kit.js';
import type { SlackState, SlackView } from '../state.js';
import { errorMessages, fail, ok, str, type ApiResult, type MethodHandler } from './types.js';

function checkView(s: SlackState, where: string, view: unknown): ApiResult | undefined {
  if (view === undefined) return fail('invalid_arguments', errorMessages([`${where}: view is required`]));
  if (typeof view === 'string') {
    const v = `${where}: view is not valid JSON`;
    s.violations.push(v);
    return fail('invalid_arguments', errorMessages([v]));
  }
  const errors = validateView(view);
  if (errors.length > 0) {
    const vs = errors.map((e) => `${where}: ${e}`);
    s.violations.push(...vs);
    return fail('invalid_arguments', errorMessages(vs));
  }
  return undefined;
}

function useTrigger(s: SlackState, triggerId: string | undefined): ApiResult | undefined {
  if (triggerId === undefined) return fail('invalid_arguments', errorMessages(['trigger_id is required']));
  if (s.usedTriggers.has(triggerId)) return fail('expired_trigger_id');
  s.usedTriggers.add(triggerId);
  return undefined;
}

/** A view as Slack returns it. */
function viewJson(s: SlackState, v: SlackView): Record<string, unknown> {
  const { teamId, botId, appId } = s.workspace;
  return {
    ...v.view,
    id: v.id,
    team_id: teamId,
    type: v.type,
    state: { values: {} },
    hash: v.hash,
    root_view_id: v.id,
    previous_view_id: null,
    app_id: appId,
    bot_id: botId,
    ...(v.externalId !== undefined ? { external_id: v.externalId } : {}),
  };
}

function createView(s: SlackState, view: unknown, extra: Partial<SlackView>): SlackView {
  const spec = view as Record<string, unknown>;
  const v: SlackView = {
    id: s.nextId('V'),
    type: spec['type'] === 'home' ? 'home' : 'modal',
    view: spec,
    hash: s.newHash(),
    updates: 0,
    at: Date.now(),
    ...(typeof spec['external_id'] === 'string' ? { externalId: spec['external_id'] } : {}),
    ...(typeof spec['callback_id'] === 'string' ? { callbackId: spec['callback_id'] } : {}),
    ...extra,
  };
  s.views.push(v);
  return v;
}

export const open: MethodHandler = (s, args) => {
  const bad = checkView(s, 'views.open', args['view']) ?? useTrigger(s, str(args['trigger_id']));
  if (bad) return bad;
  const v = createView(s, args['view'], { triggerId: str(args['trigger_id']) });
  return ok({ view: viewJson(s, v) });
};

export const push: MethodHandler = (s, args) => {
  const bad = checkView(s, 'views.push', args['view']) ?? useTrigger(s, str(args['trigger_id']));
  if (bad) return bad;
  const v = createView(s, args['view'], { triggerId: str(args['trigger_id']) });
  return ok({ view: viewJson(s, v) });
};

export const update: MethodHandler = (s, args) => {
  const viewId = str(args['view_id']);
  const externalId = str(args['external_id']);
  if (viewId === undefined && externalId === undefined) {
    return fail('invalid_arguments', errorMessages(['view_id or external_id is required']));
  }
  const existing = s.views.find((v) => (viewId !== undefined ? v.id === viewId : v.externalId === externalId));
  if (!existing) return fail('not_found');
  const hash = str(args['hash']);
  if (hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const bad = checkView(s, 'views.update', args['view']);
  if (bad) return bad;
  const spec = args['view'] as Record<string, unknown>;
  existing.view = spec;
  existing.hash = s.newHash();
  existing.updates += 1;
  if (typeof spec['external_id'] === 'string') existing.externalId = spec['external_id'];
  if (typeof spec['callback_id'] === 'string') existing.callbackId = spec['callback_id'];
  return ok({ view: viewJson(s, existing) });
};

export const publish: MethodHandler = (s, args) => {
  const userId = str(args['user_id']);
  if (userId === undefined) return fail('invalid_arguments', errorMessages(['user_id is required']));
  const bad = checkView(s, 'views.publish', args['view']);
  if (bad) return bad;
  const existing = s.views.find((v) => v.type === 'home' && v.userId === userId);
  if (existing) {
    existing.view = args['view'] as Record<string, unknown>;
    existing.hash = s.newHash();
    existing.updates += 1;
    return ok({ view: viewJson(s, existing) });
  }
  return ok({ view: viewJson(s, createView(s, args['view'], { userId })) });
};
