/** auth.test: who the bot token belongs to. */
import { ok, type MethodHandler } from './types.js';

export const test: MethodHandler = (s) => {
  const { teamId, botUserId, botId } = s.workspace;
  return ok({
    url: 'https://whybot-sandbox.slack.com/',
    team: 'whybot sandbox',
    user: 'whybot',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  });
};
