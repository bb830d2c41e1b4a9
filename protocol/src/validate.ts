import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** A validation failure with a message a person can act on (first few problems, JSON-pointer paths). */
export class SchemaError extends Error {
  readonly code = 'invalid-message';
  constructor(
    readonly schemaName: string,
    readonly problems: string[],
  ) {
    super(`invalid ${schemaName}: ${problems.join('; ')}`);
    this.name = 'SchemaError';
  }
}

export interface Validator<T extends TSchema> {
  readonly name: string;
  readonly schema: T;
  is(value: unknown): value is Static<T>;
  /** Returns the value typed, or throws SchemaError. */
  parse(value: unknown): Static<T>;
}

const MAX_PROBLEMS = 3;

/** The named validator made for a schema, if any: answers are then checked under the message's own name. */
const bySchema = new WeakMap<TSchema, Validator<TSchema>>();
export function validatorOf<T extends TSchema>(schema: T): Validator<T> | undefined {
  return bySchema.get(schema) as Validator<T> | undefined;
}

export function validator<T extends TSchema>(name: string, schema: T): Validator<T> {
  let compiled: TypeCheck<T> | undefined;
  const check = (): TypeCheck<T> => (compiled ??= TypeCompiler.Compile(schema));
  const v: Validator<T> = {
    name,
    schema,
    is: (value): value is Static<T> => check().Check(value),
    parse(value) {
      const c = check();
      if (c.Check(value)) return value;
      const problems: string[] = [];
      for (const e of c.Errors(value)) {
        problems.push(`${e.path || '/'} ${e.message}`);
        if (problems.length >= MAX_PROBLEMS) break;
      }
      throw new SchemaError(name, problems);
    },
  };
  if (!bySchema.has(schema)) bySchema.set(schema, v as unknown as Validator<TSchema>);
  return v;
}
