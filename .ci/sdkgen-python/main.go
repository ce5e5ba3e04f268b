// pulumi-sdkgen-python: writes a Python SDK for a Pulumi package schema with the code generator of
// the Pulumi CLI's own Go module (github.com/pulumi/pulumi/pkg/v3/codegen/python, built at the
// CLI's version by .ci/build-engine).
//
//	pulumi-sdkgen-python <schema.json> <out dir>
//
// This is what `pulumi package gen-sdk --language python` asks the Python language host to do
// (its GeneratePackage call). The Python host that can be built here (sdk v3.68.0) predates that
// call and answers "method GeneratePackage not implemented", so the engine build ships this
// instead. Only packages without schema dependencies are supported (no loader is served).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen-python: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: pulumi-sdkgen-python <schema.json> <out dir>")
	}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: not a package schema: %w", args[0], err)
	}
	if len(spec.Dependencies) > 0 {
		return fmt.Errorf("%s: schema dependencies are not supported (%d listed)", args[0], len(spec.Dependencies))
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := python.GeneratePackage("pulumi-language-python", pkg, nil, noLoader{})
	if err != nil {
		return err
	}
	if err := os.RemoveAll(args[1]); err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(args[1], name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d files of %s %s to %s\n", len(files), spec.Name, spec.Version, args[1])
	return nil
}

// noLoader refuses every package reference: the schema must be self-contained.
type noLoader struct{}

func (noLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q; only self-contained schemas are supported", pkg)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noLoader) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema refers to package %q; only self-contained schemas are supported", pkg)
}

func (l noLoader) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}
