import { iam } from '../aws/iam.js';

/** What the DynamoDB store does at run time (table creation is the template's job). */
export const STORE_IAM = {
  getItem: iam('dynamodb:GetItem'),
  putItem: iam('dynamodb:PutItem'),
  updateItem: iam('dynamodb:UpdateItem'),
  deleteItem: iam('dynamodb:DeleteItem'),
  query: iam('dynamodb:Query'),
} as const;
