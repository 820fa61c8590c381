// The rotation function's last error lines, for a failed-rotation alert. Filled in when the
// CloudWatch Logs adapter lands; until then the alert says the log was not read.
import type { AwsClients } from '../aws/clients.js';
import type { RotationLogReader } from './rotation-failed-alert.js';

export function rotationLogReader(_awsFor: (region: string) => AwsClients): RotationLogReader {
  return async () => ({ unavailable: 'reading the rotation function’s log is not available yet' });
}
