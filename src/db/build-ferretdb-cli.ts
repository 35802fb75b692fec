// `npm run db:build`: builds (or finds) the embedded database binary, so CI and a first start are fast.
import { EmbeddedDbError, ensureFerretDbBinary } from './embedded-ferretdb';

ensureFerretDbBinary((m) => console.log(m)).then(
  (binary) => console.log(`Embedded database ready: ${binary}`),
  (err: unknown) => {
    console.error(err instanceof EmbeddedDbError ? err.message : err);
    process.exit(1);
  },
);
