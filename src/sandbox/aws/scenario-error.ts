/**
 * A scenario that cannot be built into a world (a duplicate id, a reference to something the
 * scenario does not list). Its own module so that world.ts and the part builders it calls
 * (world-kms-cfn-iam.ts, world-ec2.ts, world-dns.ts) all import it without importing each other.
 */
export class ScenarioError extends Error {}
