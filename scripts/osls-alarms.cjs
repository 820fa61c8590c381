// CloudWatch alarms for the deployment (serverless.yml: `- ${file(./scripts/osls-alarms.cjs)}`
// under `resources`), made from the functions serverless.yml declares so that a function added
// there is alarmed without another list to keep:
//   <Fn>ErrorsAlarm     Errors > 0 in 5 min (a crash, a timeout, a failed cold start)
//   <Fn>ThrottlesAlarm  Throttles > 0 in 5 min
//   <Fn>DurationAlarm   the longest invocation in 5 min ≥ 90 % of the function's timeout
//   <Queue>DepthAlarm   a dead-letter queue holds a message (something was not delivered)
// Every alarm notifies the SNS topic `--param alarmTopic=<arn>` names; without it the alarms
// are still there (the console, `aws cloudwatch describe-alarms --state-value ALARM`) and
// notify nobody. CommonJS: osls require()s a `${file(…)}` JavaScript source.
'use strict';

/** The queues nothing reads: a message in one is a failure nobody was told about. */
const DEAD_LETTER_QUEUES = { WorkerFailureDLQ: 'worker-failures-dlq', VerifyDLQ: 'verify-dlq', AlertsDLQ: 'alerts-dlq' };
const PERIOD = 300;
const DURATION_SHARE = 0.9;

const logicalId = (fn) => `${fn[0].toUpperCase()}${fn.slice(1)}`;

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const topic = await resolveVariable('param:alarmTopic');
  const functions = await resolveVariable('self:functions');
  if (topic && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(topic)) throw new Error(`alarmTopic must be an SNS topic ARN, got "${topic}"`);
  const actions = topic ? { AlarmActions: [topic], OKActions: [topic] } : {};
  const alarm = (name, description, props) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `whybot-${stage}-${name}`,
      AlarmDescription: description,
      Period: PERIOD,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...actions,
      ...props,
    },
  });
  const Resources = {};
  for (const [fn, def] of Object.entries(functions)) {
    const id = logicalId(fn);
    const dims = [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }];
    const metric = (MetricName, Statistic) => ({ Namespace: 'AWS/Lambda', MetricName, Statistic, Dimensions: dims });
    const timeoutSeconds = Number(def.timeout ?? 6);
    Resources[`${id}ErrorsAlarm`] = alarm(`${fn}-errors`, `whybot ${fn}: an invocation failed (crash, timeout or cold start); see its log group`, {
      ...metric('Errors', 'Sum'),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    Resources[`${id}ThrottlesAlarm`] = alarm(`${fn}-throttles`, `whybot ${fn}: Lambda throttled an invocation (account or reserved concurrency)`, {
      ...metric('Throttles', 'Sum'),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    Resources[`${id}DurationAlarm`] = alarm(`${fn}-duration`, `whybot ${fn}: an invocation ran for ${DURATION_SHARE * 100} % of its ${timeoutSeconds} s timeout`, {
      ...metric('Duration', 'Maximum'),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: Math.round(timeoutSeconds * 1000 * DURATION_SHARE),
    });
  }
  for (const [queue, name] of Object.entries(DEAD_LETTER_QUEUES)) {
    Resources[`${queue}DepthAlarm`] = alarm(`${name}-depth`, `whybot: ${queue} holds a message that was never delivered; read it, act, then purge or redrive`, {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  }
  return { Resources };
};
