// Negative control for main-entry-graph.mjs: a CommonJS module that requires a peer dependency.
require('pg');
