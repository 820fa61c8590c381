/** api.test: echoes its arguments. */
import { ok, type MethodHandler } from './types.js';

export const test: MethodHandler = (_s, args) => ok({ args });
