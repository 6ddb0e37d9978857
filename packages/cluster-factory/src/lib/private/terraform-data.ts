import { anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, TerraformResource, type DataConfig } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Terraform's built-in `terraform_data` resource, synthesized exactly as cdktf's DataResource
 * synthesizes it, without the synth-time check DataResource adds to every instance: a
 * `terraform version` process per resource (about 50 ms each; the multi-region app has ten) to
 * see that Terraform is 1.4 or later. Every stack already requires Terraform >= 1.10
 * (`required_version`, src/versions.ts), which Terraform enforces before it plans, so the check
 * added nothing but start-ups. A test compares its JSON with DataResource's.
 */
export class TerraformData extends TerraformResource {
  private readonly inputValue: DataConfig['input'];
  private readonly triggersReplaceValue: DataConfig['triggersReplace'];

  constructor(scope: Construct, id: string, config: DataConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.inputValue = config.input;
    this.triggersReplaceValue = config.triggersReplace;
  }

  get id(): string {
    return this.getStringAttribute('id');
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return {
      input: hashMapper(anyToTerraform)(this.inputValue),
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplaceValue),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: unknown } {
    return {
      input: hashMapperHcl(anyToHclTerraform)(this.inputValue),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplaceValue),
    };
  }
}
