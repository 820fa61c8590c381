/**
 * EC2 Query (`ec2` protocol): the request is AWS Query's (POST /, form body
 * `Action=<Operation>&Version=2016-11-15&…`) except that lists are flattened and named by
 * their member's `locationName`, capitalised: `AllocationId.1=…`, `Filter.1.Name=…`,
 * `Filter.1.Value.1=…`, `NatGatewayId.2=…`. An empty list is not sent at all.
 *
 * Responses differ from AWS Query: no `<OpResult>` wrapper and no `<ResponseMetadata>`:
 * `<OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>…</requestId>
 * <addressesSet><item>…</item></addressesSet></OpResponse>`. Member names are the model's
 * lower-camel `locationName`s (`publicIp`, `allocationId`, `tagSet`), list members are
 * `<item>` (use `xmlList('item', …)`), timestamps ISO-8601.
 *
 * Errors: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`
 * (note `RequestID`, upper case, as EC2 writes it). Codes are EC2's dotted ones
 * (`InvalidAllocationID.NotFound`, `InvalidIPAddress.InUse`); a denied call is
 * `UnauthorizedOperation` 403, throttling `RequestLimitExceeded` 503.
 */
import { AwsError } from '../errors.js';
import { escapeXml, parseQueryBody, queryAction, toXmlContent } from './query-xml.js';
import type { CommonErrors, Protocol, WireRequest, WireResponse } from './types.js';

export const ec2Errors: CommonErrors = {
  accessDenied: (message) => new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, 403),
  throttling: () => new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  internal: () => new AwsError('InternalError', 'An internal error has occurred', 500),
  unknownOperation: (operation) =>
    new AwsError(
      'InvalidAction',
      operation ? `The action ${operation} is not valid for this web service.` : 'The action  is not valid for this web service.',
      400,
    ),
  missingParameter: (name) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`, 400),
  invalidParameter: (message) => new AwsError('InvalidParameterValue', message, 400),
};

export interface Ec2QueryOptions {
  /** e.g. "http://ec2.amazonaws.com/doc/2016-11-15/" */
  xmlns: string;
}

const XML_CONTENT_TYPE = 'text/xml;charset=UTF-8';

export class Ec2QueryProtocol implements Protocol {
  readonly id = 'ec2Query' as const;
  readonly errors = ec2Errors;

  constructor(private readonly options: Ec2QueryOptions) {}

  operationOf(req: WireRequest): string | undefined {
    return queryAction(req);
  }

  /**
   * Flattened lists come back as arrays keyed by the member name the SDK sends:
   * `AllocationId.1=a&AllocationId.2=b` → `{ AllocationId: ['a', 'b'] }`,
   * `Filter.1.Name=x&Filter.1.Value.1=y` → `{ Filter: [{ Name: 'x', Value: ['y'] }] }`.
   */
  parseParams(req: WireRequest): Record<string, unknown> {
    return parseQueryBody(req.body);
  }

  encodeResult(operation: string, result: unknown, requestId: string): WireResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<${operation}Response xmlns="${this.options.xmlns}">` +
      `<requestId>${escapeXml(requestId)}</requestId>` +
      toXmlContent(result) +
      `</${operation}Response>`;
    return { status: 200, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
  }

  encodeError(error: AwsError, requestId: string): WireResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors>` +
      `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;
    return { status: error.status, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
  }
}
