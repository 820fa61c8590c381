/**
 * users.info: the `users` option's fields over a generated user. Ids not listed still resolve
 * when they look like user ids (U…/W…); others give user_not_found.
 */
import { fail, ok, str, type MethodHandler } from './types.js';

export const info: MethodHandler = (s, args) => {
  const { teamId, botUserId, botId, users } = s.workspace;
  const id = str(args['user']);
  if (id === undefined) return fail('user_not_found');
  const configured = users[id];
  if (configured === undefined && id !== botUserId && !/^[UW][A-Z0-9]+$/.test(id)) return fail('user_not_found');
  const name = id === botUserId ? 'whybot' : id.toLowerCase();
  return ok({
    user: {
      id,
      team_id: teamId,
      name,
      real_name: name,
      deleted: false,
      is_bot: id === botUserId,
      is_admin: false,
      tz: 'UTC',
      profile: { real_name: name, display_name: name, ...(id === botUserId ? { bot_id: botId } : {}) },
      ...configured,
    },
  });
};
