import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerDemo(_program: Command): void {}
