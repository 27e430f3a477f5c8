// Package template is the CloudFormation template language: it parses JSON
// and YAML templates into a tree that keeps source positions and each
// scalar's original text, and evaluates that tree — intrinsic functions,
// pseudo parameters, parameters and their constraints, conditions, mappings,
// rules, and the dependency graph between resources. It is pure: no I/O, no
// clock, no services. The stack engine parses and validates a template, then
// drives everything else through Scope and Resolver.
//
// # Lazy evaluation
//
// Nothing is evaluated at parse time. The engine validates the template
// (Validate), resolves parameters (ResolveParameters), evaluates the
// conditions once (EvalConditions), checks Rules (CheckRules), asks Order
// for the creation waves, and then evaluates each resource's Properties with
// Eval at the moment it creates the resource, against the live values of
// the resources created before it (the Scope's Resolver). Outputs are
// evaluated the same way after the last resource (EvalOutputs). Only the
// taken branch of Fn::If is evaluated, and a {"Ref": "AWS::NoValue"}
// removes the property or list item holding it.
//
// # Parsing
//
// JSON is tried first, then YAML, as the AWS CLI does. Scalars keep their
// text: unquoted 2010-09-09 is the string "2010-09-09", 1.10 stays "1.10",
// 0123 stays "0123". goccy/go-yaml reads YAML 1.2, so only true and false
// are booleans; yes/no/on/off stay strings (CloudFormation's YAML 1.1 would
// make them booleans, which in a string property become "true"/"false").
// Short forms become long forms on the tree (!Sub → Fn::Sub, !Ref → Ref,
// !GetAtt a.b.c → ["a", "b.c"]; a tagged mapping keeps its map). Duplicate
// keys are errors with their line. YAML anchors, aliases and << merge keys
// are resolved on the tree: AWS rejects them, cloudlet accepts them because
// users asked for them; every alias is expanded into a copy, and the
// expansion is bounded.
//
// # Errors
//
// Every error is an *Error (or an errors.Join of them, from Validate) that
// names the file, line, column and logical ID, with AWS's message. AWSError
// turns one into the ValidationError AWS would send.
package template
