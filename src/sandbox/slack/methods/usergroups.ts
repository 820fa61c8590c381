/** usergroups.users.list, from the `usergroups` option. */
import { errorMessages, fail, ok, str, type MethodHandler } from './types.js';

export const usersList: MethodHandler = (s, args) => {
  const id = str(args['usergroup']);
  if (id === undefined) return fail('invalid_arguments', errorMessages(['usergroup is required']));
  const members = s.workspace.usergroups[id];
  if (members === undefined) return fail('no_such_subteam');
  return ok({ users: [...members] });
};
