/**
 * The embedded SFTP server: the destination a newcomer uploads to before they have
 * credentials, and the server the tests run against (DESIGN.md, Layout: sandbox/).
 */
export { startSandbox, S3_STAGING_NAME } from './server'
export { NO_FAULTS } from './faults'
export type { SandboxFaults, SandboxMode, SandboxOptions, SandboxServer, SandboxStats, S3Options } from './types'
export { startAppSandbox, appSandboxPaths, APP_SANDBOX_PORT, APP_SANDBOX_USERNAME, type AppSandboxOptions } from './app-sandbox'
