/**
 * Browser-side tests (jsdom) wait for what a QA manager would see for up to 30 s, not
 * testing-library's default 1 s: on a busy 2-core machine a dialog's first render alone has
 * taken longer than a second, and a test failed for it. A passing wait returns as soon as its
 * condition holds, so the longer ceiling costs nothing when all is well.
 */
export {}

if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/react')
  configure({ asyncUtilTimeout: 30_000 })
}
