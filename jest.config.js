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
};
