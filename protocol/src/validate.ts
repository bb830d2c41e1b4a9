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

export function validator<T extends TSchema>(name: string, schema: T): Validator<T> {
  let compiled: TypeCheck<T> | undefined;
  const check = (): TypeCheck<T> => (compiled ??= TypeCompiler.Compile(schema));
  return {
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
}
