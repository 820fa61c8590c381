import type { RotationEvent } from './events.js';
import { handleRotationFailed } from './rotation-failed-alert.js';
import { handleRotationSucceeded, type AlertDeps, type AlertOutcome } from './rotation-alert.js';

export async function handleRotationEvent(e: RotationEvent, deps: AlertDeps): Promise<AlertOutcome> {
  switch (e.name) {
    case 'RotationSucceeded':
      return handleRotationSucceeded(e, deps);
    case 'RotationFailed':
    case 'RotationAbandoned':
      return handleRotationFailed(e, deps);
    default:
      return 'ignored';
  }
}
