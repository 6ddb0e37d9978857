// @ts-check
import tseslint from 'typescript-eslint';

/**
 * The provider packages' root barrels load every resource class: ~3 s and ~840 MB to
 * type-check, against ~0.15 s and ~190 MB for one submodule. Import from lib/<resource>.
 */
const PROVIDER_ROOT_IMPORTS = ['aws', 'helm', 'kubernetes'].map((name) => ({
  name: `@cdktf/provider-${name}`,
  message: `Import from a submodule, e.g. '@cdktf/provider-${name}/lib/provider': the package root loads every resource binding.`,
}));

/**
 * cdktf's DataResource starts a `terraform version` process per resource at synth; the
 * project's TerraformData synthesizes the same terraform_data without it.
 */
const DATA_RESOURCE = {
  name: 'cdktf',
  importNames: ['DataResource'],
  message: "Use TerraformData (packages/cluster-factory/src/lib/private/terraform-data.ts): the same terraform_data, without cdktf's terraform version process per resource at synth.",
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/cdktf.out/**', '**/.gen/**', '**/dist/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...PROVIDER_ROOT_IMPORTS, DATA_RESOURCE] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The test that compares TerraformData with DataResource.
    files: ['packages/cluster-factory/test/terraform-data.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: PROVIDER_ROOT_IMPORTS }] },
  },
  {
    // CommonJS entry points that tools load with require() (the Nx generator factory).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
