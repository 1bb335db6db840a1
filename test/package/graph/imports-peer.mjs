// Negative control for main-entry-graph.mjs: an ES module that imports a peer dependency.
import 'pg';
