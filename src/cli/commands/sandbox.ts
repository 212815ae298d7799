import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerSandbox(_program: Command): void {}
