export { startAwsDouble, credentialScopeOf, type AwsCall, type AwsDouble, type AwsDoubleOptions } from './server.js';
export { buildWorld, type World } from './world.js';
export { ScenarioError } from './scenario-error.js';
export { AwsError } from './errors.js';
export { accessDeniedMessage } from './faults.js';
export {
  SERVICES,
  type ServiceModule,
  type OperationContext,
  type OperationHandler,
  type InvokeHandler,
  type LambdaInvocation,
} from './services/index.js';
