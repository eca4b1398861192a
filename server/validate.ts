/**
 * Request parsing shared by every router: a zod parse whose failure is a 400 problem naming each
 * bad field, and the parameter shapes several routers use.
 */
import { z } from 'zod';
import { PacketId } from '../protocol/ids.ts';
import { Problem } from './errors.ts';

export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
    throw new Problem('bad-request', `invalid ${what}: ${issues.join('; ')}`, { errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  return result.data;
}

export const PacketParams = z.strictObject({ id: PacketId });
export const NoQuery = z.strictObject({});
