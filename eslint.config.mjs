// Lint rules for all TypeScript (production code, tools, tests). Formatting is Prettier's (eslint-config-prettier
// turns off the rules it owns); `npm run lint` runs both and fails on any warning.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", "build/", ".venv*/", "model/", "**/*.js", "!eslint.config.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a key away, a required callback parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      eqeqeq: ["error", "always"],
      // Prettier wraps code at 140; this holds comments to it too. Long messages stay whole, so they can be grepped.
      "max-len": ["error", { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      "no-console": "off",
    },
  },
  {
    // Tests read untyped JSON field by field (synthesized stacks, log lines, HTTP bodies): typing every shape
    // would only restate the assertions. They load the built bundle by its path and fresh module copies with
    // jest.isolateModules, both of which need require().
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
