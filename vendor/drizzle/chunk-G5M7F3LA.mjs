// drizzle-orm 0.45.4 (Apache-2.0, https://github.com/drizzle-team/drizzle-orm; the package ships no licence file), bundled by scripts/vendor.mjs (npm run vendor). Do not edit.
import {
  entityKind
} from "./chunk-QREXYDCA.mjs";

// node_modules/drizzle-orm/logger.js
var ConsoleLogWriter = class {
  static [entityKind] = "ConsoleLogWriter";
  write(message) {
    console.log(message);
  }
};
var DefaultLogger = class {
  static [entityKind] = "DefaultLogger";
  writer;
  constructor(config) {
    this.writer = config?.writer ?? new ConsoleLogWriter();
  }
  logQuery(query, params) {
    const stringifiedParams = params.map((p) => {
      try {
        return JSON.stringify(p);
      } catch {
        return String(p);
      }
    });
    const paramsStr = stringifiedParams.length ? ` -- params: [${stringifiedParams.join(", ")}]` : "";
    this.writer.write(`Query: ${query}${paramsStr}`);
  }
};
var NoopLogger = class {
  static [entityKind] = "NoopLogger";
  logQuery() {
  }
};

export {
  ConsoleLogWriter,
  DefaultLogger,
  NoopLogger
};
