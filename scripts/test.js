#!/usr/bin/env node
// `npm test`: lint, type-check, then every test suite. Suites that need OpenSSH's server or
// Chromium find them here; when missing, this tries to install them (Debian/Ubuntu, as root),
// and otherwise those suites skip themselves with a printed reason.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const SYSTEM_PACKAGES = [
  { binary: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { binary: '/usr/bin/sftp', pkg: 'openssh-client' },
  { binary: '/usr/bin/chromium', pkg: 'chromium' },
  { binary: '/usr/bin/puttygen', pkg: 'putty-tools' },
  { binary: '/usr/libexec/gesftpserver', pkg: 'gesftpserver' },
  { binary: '/usr/bin/sox', pkg: 'sox' },
  { binary: `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/sox/libsox_fmt_mp3.so`, pkg: 'libsox-fmt-mp3' },
  // A private PostgreSQL cluster for the team-ledger tests (initdb and postgres, any version).
  { binary: '/usr/lib/postgresql', pkg: 'postgresql' },
  // ProFTPD's mod_sftp: an independent SFTP server that refuses overwrite by default.
  { binary: '/usr/sbin/proftpd', pkg: 'proftpd-core' },
  { binary: '/usr/lib/proftpd/mod_sftp.so', pkg: 'proftpd-mod-crypto' },
]

function run(label, command, args, env = process.env) {
  console.log(`\n▶ ${label}`)
  const started = Date.now()
  const result = spawnSync(command, args, { stdio: 'inherit', env })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    console.error(`✖ ${label} failed (${seconds} s)`)
    process.exit(result.status ?? 1)
  }
  console.log(`✔ ${label} (${seconds} s)`)
}

function installMissingSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((p) => !existsSync(p.binary)).map((p) => p.pkg)
  if (missing.length === 0) return
  const canApt = existsSync('/usr/bin/apt-get') && process.getuid?.() === 0
  if (!canApt) {
    console.log(`Not installing ${missing.join(', ')}: needs apt-get as root. The suites that need them will be skipped.`)
    return
  }
  console.log(`Installing ${missing.join(', ')} with apt-get...`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
  const install = update.status === 0
    ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env })
    : update
  if (install.status !== 0) console.log('apt-get failed: the suites that need these packages will be skipped.')
}

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname
run('lint', bin('eslint'), ['.'])
run('type-check', bin('tsc'), ['-p', 'tsconfig.json'])
installMissingSystemPackages()
run('tests', bin('vitest'), ['run'])
