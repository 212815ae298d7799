import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerKeys(_program: Command): void {}
