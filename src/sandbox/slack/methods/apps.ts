/**
 * apps.connections.open called with the bot token. With a Socket Mode double attached,
 * server.ts routes the method to it instead (socket-mode.ts), for any token.
 */
import { fail, type MethodHandler } from './types.js';

export const connectionsOpen: MethodHandler = () => fail('not_allowed_token_type');
