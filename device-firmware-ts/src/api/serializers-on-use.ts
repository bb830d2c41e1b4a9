import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance } from 'fastify';

type Serializer = (data: unknown) => string;

/**
 * Fastify compiles a serializer (fast-json-stringify generates and compiles a function) for every
 * response schema of every route while the server starts: the route table gives each route its
 * JSON answers and nine error statuses, some 400 compiled functions kept for the whole run
 * (about 2 MB of heap), most for answers a recording unit never sends. Here each distinct schema
 * object is compiled once, on its first answer, by fastify's own compiler with its default
 * options, so what goes on the wire is the same. A schema fast-json-stringify cannot compile
 * now fails its first answer (a 500) instead of the start; the route contract test sends them.
 */
export function compileSerializersOnUse(app: FastifyInstance): void {
  const compile = SerializerSelector()({}, {});
  const compiled = new WeakMap<object, Serializer>();
  app.setSerializerCompiler((route) => {
    const schema = route.schema as object;
    return (data: unknown) => {
      let serialize = compiled.get(schema);
      if (!serialize) {
        serialize = compile(route as Parameters<typeof compile>[0]) as Serializer;
        compiled.set(schema, serialize);
      }
      return serialize(data);
    };
  });
}
