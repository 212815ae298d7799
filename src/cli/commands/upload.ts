import type { Command } from 'commander'

/** Placeholder until this command lands; registers nothing. */
export function registerUpload(_program: Command): void {}
