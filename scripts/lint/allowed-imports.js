// ESLint rule `layering/allowed-imports`: an import passes only if an allowed list names it.
// A bare import must be a Node builtin (where the workspace runs on Node), a dependency the
// workspace's own package.json declares, or an extra the config names (electron in the
// Electron entry files). A relative import must stay inside its workspace and out of the
// folders the config fences off (e.g. hal/sim/ from everything above the HAL).
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The dependencies a workspace declares in its package.json (dependencies + peerDependencies). */
export function declaredDependencies(root, workspace) {
  const pkg = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8'));
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
}

const isBuiltin = (specifier) => specifier.startsWith('node:') || builtins.has(packageOf(specifier));
const inside = (dir, path) => path === dir || path.startsWith(dir + sep);

export const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'imports only from the allowed lists of the layering' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          workspace: { type: 'string' },
          layer: { type: 'string' },
          nodeBuiltins: { type: 'boolean' },
          packages: { type: 'array', items: { type: 'string' } },
          typeOnlyPackages: { type: 'array', items: { type: 'string' } },
          refusedSubpaths: { type: 'array', items: { type: 'string' } },
          fenced: {
            type: 'array',
            items: {
              type: 'object',
              properties: { dir: { type: 'string' }, except: { type: 'array', items: { type: 'string' } }, why: { type: 'string' } },
              required: ['dir', 'why'],
            },
          },
        },
        required: ['root', 'workspace', 'layer'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const o = context.options[0];
    const wsDir = resolve(o.root, o.workspace);
    const packages = new Set([...declaredDependencies(o.root, o.workspace), ...(o.packages ?? [])]);
    const typeOnly = new Set(o.typeOnlyPackages ?? []);
    const file = resolve(context.filename);
    const fenced = (o.fenced ?? [])
      .map((f) => ({ dir: resolve(o.root, f.dir), except: (f.except ?? []).map((e) => resolve(o.root, e)), why: f.why }))
      .filter((f) => !inside(f.dir, file) && !f.except.some((e) => inside(e, file)));

    const check = (node, source, typeOnlyImport) => {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      const report = (message) => context.report({ node: source, message: `${o.layer}: ${message}` });
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = resolve(dirname(file), spec);
        if (!inside(wsDir, target)) return report(`'${spec}' leaves the ${o.workspace}/ workspace; import another workspace by its package name`);
        const fence = fenced.find((f) => inside(f.dir, target));
        if (fence) report(`'${spec}' reaches into ${relative(o.root, fence.dir)}/: ${fence.why}`);
        return;
      }
      if (isBuiltin(spec)) {
        if (!o.nodeBuiltins) report(`'${spec}' is a Node module, and this code does not run on Node`);
        return;
      }
      const name = packageOf(spec);
      const refusedSub = (o.refusedSubpaths ?? []).find((p) => spec === p || spec.startsWith(p + '/'));
      if (refusedSub) return report(`'${refusedSub}' runs on Node only; this layer may not import it`);
      if (packages.has(name)) return;
      if (typeOnly.has(name) && typeOnlyImport) return;
      report(`'${name}' is not on the allowed list (declare it in ${o.workspace}/package.json if this layer may use it)`);
    };
    const typeOnlyOf = (node) => node.importKind === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source, typeOnlyOf(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source, false),
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === 'TSExternalModuleReference' && check(node, node.moduleReference.expression, node.importKind === 'type'),
    };
  },
};

export default { rules: { 'allowed-imports': allowedImports } };
