import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerServe(_program: Command): void {}
