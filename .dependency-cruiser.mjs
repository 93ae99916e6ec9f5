// The import rules of the layout (ADR 0009), checked by `npm test` (test/unit/architecture).
//
//   layers/kernel/              names every context uses; imports nothing of ours
//   layers/shared/              HTTP, identity, clients, errors; imports the kernel only
//   layers/<context>/domain|adapters   its own context, the kernel, shared, other contexts' published/
//   layers/<context>/published/ what the context offers the others (read models, submitters, protocols)
//   functions/<context>/        the same as its layers/<context>
//   containers/agent/src/<context>/   the same; runtime/ and the root are the agent's composition root
//   web/                        the page: the kernel, published/ modules, and types of the API's answers
//   lib/                        CDK: reads anything in layers/ (tables, enums, contracts), never the reverse

const CONTEXTS = "tasks|agents|detection|coordination|optimization|realtime|monitoring|jobs|models|files";
const ours = "^(layers|functions|containers|web|lib)/";

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Modules of ours that import each other in a cycle.",
      from: { path: ours },
      to: { circular: true, path: ours },
    },
    {
      name: "kernel-imports-nothing",
      severity: "error",
      comment: "The kernel is the vocabulary every context shares: it depends on no code of ours.",
      from: { path: "^layers/kernel/" },
      to: { path: ours, pathNot: "^layers/kernel/" },
    },
    {
      name: "shared-imports-kernel-only",
      severity: "error",
      comment: "layers/shared serves every context, so it can know none of them.",
      from: { path: "^layers/shared/" },
      to: { path: ours, pathNot: "^layers/(kernel|shared)/" },
    },
    {
      name: "no-other-context-internals",
      severity: "error",
      comment: "A context reaches another only through that context's published/ modules.",
      from: { path: `^(layers|functions|containers/agent/src)/(${CONTEXTS})/` },
      to: {
        path: `^layers/(${CONTEXTS})/`,
        pathNot: [`^layers/$2/`, `^layers/(${CONTEXTS})/published/`],
      },
    },
    {
      name: "no-other-context-handlers",
      severity: "error",
      comment: "Handlers of one context never import another context's handlers.",
      from: { path: `^(functions|containers/agent/src)/(${CONTEXTS})/` },
      to: { path: `^(functions|containers/agent/src)/(${CONTEXTS})/`, pathNot: "^$1/$2/" },
    },
    {
      name: "published-stays-in-its-context",
      severity: "error",
      comment: "A published module offers its own context; it does not pass on another's.",
      from: { path: `^layers/(${CONTEXTS})/published/` },
      to: { path: `^layers/(${CONTEXTS})/`, pathNot: "^layers/$1/" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "Domain logic talks to ports; only adapters (and published factories) talk to AWS.",
      from: { path: "^layers/[^/]+/domain/" },
      to: { path: ["^layers/[^/]+/adapters/", "@aws-sdk/", "^functions/", "^containers/"] },
    },
    {
      name: "agent-runtime-composes-tasks-and-agents",
      severity: "error",
      comment:
        "The agent's runtime and entry point implement the task-claiming and registration protocols of tasks and agents; other contexts come in through their own folders or published modules.",
      from: { path: "^containers/agent/src/(runtime/|[^/]+\\.ts$)" },
      to: {
        path: `^layers/(${CONTEXTS})/`,
        pathNot: ["^layers/(tasks|agents)/", `^layers/(${CONTEXTS})/published/`],
      },
    },
    {
      name: "web-reads-published-and-types",
      severity: "error",
      comment:
        "The page runs in a browser: it uses the kernel, published modules, and (as types only) the shapes of the API's answers.",
      from: { path: "^web/" },
      to: {
        path: "^layers/",
        pathNot: ["^layers/kernel/", "^layers/[^/]+/published/"],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "nothing-imports-the-cdk-app",
      severity: "error",
      comment: "lib/ (stacks, constructs, stage config) reads the domain; the domain never reads lib/.",
      from: { path: "^(layers|functions|containers|web)/" },
      to: { path: "^lib/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^node_modules/", "^\\.local/", "^cdk\\.out/", "/dist/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mjs", ".js", ".json"],
    },
  },
};
