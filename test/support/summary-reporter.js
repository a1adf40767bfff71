// Why: CI and the engineers' scripts read one machine-checkable last line from `npm test`
// ("N passed, N failed") instead of parsing spec output; everything above it is the
// ordinary spec report for humans. Plain CommonJS so any mocha invocation can load it
// without a TypeScript hook.
'use strict';

const Mocha = require('mocha');

const { Spec, Base } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    // Spec registers its own epilogue on run end first, so ours prints after it.
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = this.stats;
      if (pending) Base.consoleLog(`${pending} pending`);
      Base.consoleLog(`${passes} passed, ${failures} failed`);
    });
  }
}

SummaryReporter.description = 'spec, then a final "N passed, N failed" line';

module.exports = SummaryReporter;
