export { environmentGenerator, type EnvironmentGeneratorOptions } from './generators/environment/generator.js';
