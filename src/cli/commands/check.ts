import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerCheck(_program: Command): void {}
