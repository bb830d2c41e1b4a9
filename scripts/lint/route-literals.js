// ESLint rule `routes/no-route-literal`: a device API path (`/v1/...`) is written once, in the
// route table (protocol/src/device-api/routes.ts). Everywhere else a path comes from the table
// (`Routes.x.path`, `routePath(Routes.x, ...)`, `matchRoute(Routes, ...)`), so the unit, the
// companion and the testbed's fakes cannot drift apart. Strings, template literals and regular
// expressions are checked; comments are not.
const API_PATH = /(^|[^A-Za-z0-9])\/v1(\/|$|[^A-Za-z0-9])/;
const ESCAPED_API_PATH = /\\\/v1(\\\/|$|[^A-Za-z0-9])/;

export const noRouteLiteral = {
  meta: {
    type: 'problem',
    docs: { description: 'device API paths come from the route table, not from string literals' },
    schema: [],
  },
  create(context) {
    const report = (node, text) =>
      context.report({ node, message: `'${text.slice(0, 60)}' names a device API path: take it from the route table (Routes in protocol/src/device-api/routes.ts)` });
    return {
      Literal(node) {
        if (typeof node.value === 'string' && API_PATH.test(node.value)) report(node, node.value);
        else if (node.regex && (API_PATH.test(node.regex.pattern) || ESCAPED_API_PATH.test(node.regex.pattern))) report(node, `/${node.regex.pattern}/`);
      },
      TemplateElement(node) {
        if (API_PATH.test(node.value.cooked ?? node.value.raw)) report(node, node.value.raw);
      },
    };
  },
};

export default { rules: { 'no-route-literal': noRouteLiteral } };
