/**
 * Jest runs TypeScript through ts-jest with isolatedModules (transpile only): type-checking the
 * multi-megabyte @cdktf/provider-aws typings per test file is slow, so `npm run typecheck`
 * (tsc --noEmit) does the type checking once, in the test command, instead.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  clearMocks: true,
  testTimeout: 30000,
  // Jest's default is one worker fewer than the cores: a single worker on a 2-core machine. The fast tier mostly
  // waits on loopback sockets and child processes, so one worker per core halves its time (35 s -> 20 s here).
  // The end-to-end tier runs in band regardless (npm run test:e2e).
  maxWorkers: "100%",
};
