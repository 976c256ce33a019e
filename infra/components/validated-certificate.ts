/**
 * An ACM certificate for one host name, validated through a Cloudflare DNS
 * record, so no long-lived certificate is kept anywhere.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dnsRecord, VALIDATION_TTL, type Zone } from "../dns.ts";
import { InfraArgumentError } from "../errors.ts";

export interface ValidatedCertificateArgs {
  readonly domainName: string;
  readonly zone: Zone;
}

/** A certificate whose `arn` is usable once validation has completed. */
export class ValidatedCertificate extends pulumi.ComponentResource {
  readonly certificate: aws.acm.Certificate;
  /** The ARN, available only after ACM has issued the certificate. */
  readonly arn: pulumi.Output<string>;

  /** Pass a provider in `opts.providers` for a certificate elsewhere. */
  constructor(
    name: string,
    args: ValidatedCertificateArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    if (!args.domainName.endsWith(args.zone.domain)) {
      throw new InfraArgumentError(
        `${name}: ${args.domainName} is not in the zone ${args.zone.domain}`,
      );
    }
    super("api-core:acm:ValidatedCertificate", name, {}, opts);

    this.certificate = new aws.acm.Certificate(
      name,
      {
        domainName: args.domainName,
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
      },
      { parent: this },
    );
    const option = this.certificate.domainValidationOptions.apply((options) => {
      const first = options[0];
      if (!first) throw new InfraArgumentError(`${name}: no DNS validation`);
      return first;
    });
    const record = dnsRecord(
      `${name}-validation`,
      args.zone,
      {
        name: option.apply((o) => withoutDot(o.resourceRecordName)),
        type: "CNAME",
        content: option.apply((o) => withoutDot(o.resourceRecordValue)),
        ttl: VALIDATION_TTL,
        comment: `ACM validation of ${args.domainName}`,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-validated`,
      {
        certificateArn: this.certificate.arn,
        validationRecordFqdns: [record.name],
      },
      { parent: this },
    );
    this.arn = validation.certificateArn;

    this.registerOutputs({ arn: this.arn });
  }
}

/** ACM answers names with a trailing dot; Cloudflare stores them without. */
function withoutDot(name: string): string {
  return name.replace(/\.$/, "");
}
