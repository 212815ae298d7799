import type { BenchSection } from './run'

/** Placeholder: replaced by the batch-core benchmark. */
export const checkBench: BenchSection = { name: 'check', run: async () => '## check\n\nNot measured yet.' }
