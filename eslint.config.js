import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // One-way stages: another stage is reached only through its index.ts (src/shared is a library). One
    // second door: map/rows.ts, the row mapper without the mapping file's loader, for the reading thread.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(?!shared/)(?!map/rows\\.js$)[a-z-]+/(?!index\\.js$)[^/]+$",
              message: "Import another stage only through its index.ts (src/shared is a library).",
            },
          ],
        },
      ],
    },
  },
);
