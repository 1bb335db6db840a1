// Module hooks (registered by main-entry-graph.mjs) that refuse to resolve any of the peer dependencies,
// so that an ES module import of one fails the load with a message naming who imported it.
let peers = [];

export const initialize = (data) => {
  peers = data.peers;
};

export const resolve = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  const peer = peers.find((name) => resolved.url.includes(`/node_modules/${name}/`));
  if (peer !== undefined) throw new Error(`${context.parentURL ?? 'the entry'} loaded the peer dependency ${peer}`);
  return resolved;
};
