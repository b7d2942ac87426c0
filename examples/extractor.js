#!/usr/bin/env node
// A whole nkru_bench system: one document per stdin line in, one prediction per stdout line out.
// Run it: nkru-bench run --cmd "node examples/extractor.js"
const lines = require("readline").createInterface({ input: process.stdin });
const codePoints = (s) => [...s].length; // offsets count code points, not UTF-16 units
lines.on("line", (line) => {
  const doc = JSON.parse(line);
  const entities = [...doc.text.matchAll(/\b(NATO|Reuters|AFP|KCNA)\b/g)].map((m) => {
    const start = codePoints(doc.text.slice(0, m.index));
    return { start, end: start + codePoints(m[0]), type: "ORG", entity_id: `ORG-${m[0]}` };
  });
  console.log(JSON.stringify({ doc_id: doc.doc_id, entities }));
});
