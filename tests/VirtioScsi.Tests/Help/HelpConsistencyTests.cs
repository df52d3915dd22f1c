using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using VirtioScsi.Errors;
using Xunit;

namespace VirtioScsi.Tests.Help;

/// <summary>
/// The committed help (docs/en-US/*.md, en-US/VirtioScsi.PowerShell.dll-Help.xml and
/// en-US/about_VirtioScsi.help.txt) against the module itself, without PowerShell: the cmdlet classes are
/// read from the built VirtioScsi.PowerShell.dll with MetadataLoadContext, whose attributes from
/// System.Management.Automation are recognised by name: the context resolves the runtime and the module only,
/// not the SMA that Microsoft.PowerShell.SDK (for tests/VirtioScsi.Tests/Cmdlets) puts into bin.
/// </summary>
public sealed class HelpConsistencyTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly Lazy<HelpSources> Sources = new(HelpSources.Load);

    private static HelpSources S => Sources.Value;

    [Fact]
    public void The_maml_help_is_well_formed_and_holds_one_command_per_exported_cmdlet()
    {
        // XDocument.Load throws on malformed XML; the reader settings refuse DTDs as PowerShell's help reader does.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit };
        using (var reader = XmlReader.Create(S.MamlPath, settings))
        {
            var document = XDocument.Load(reader);
            Assert.Equal("helpItems", document.Root!.Name.LocalName);
            Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
        }
        var names = S.MamlCommands.Select(CommandName).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(Sorted(S.ExportedCmdlets), Sorted(names));
    }

    [Fact]
    public void Every_exported_cmdlet_is_a_cmdlet_class_of_the_module()
    {
        Assert.NotEmpty(S.ExportedCmdlets);
        Assert.Equal(Sorted(S.ExportedCmdlets), Sorted(S.Cmdlets.Keys));
    }

    [Fact]
    public void The_maml_documents_exactly_the_public_parameters_of_every_cmdlet()
    {
        var problems = new List<string>();
        foreach (var (name, cmdlet) in S.Cmdlets)
        {
            var command = MamlCommand(name);
            var documented = command.Element(Command + "parameters")?.Elements(Command + "parameter")
                .Select(p => (string)p.Element(Maml + "name")!).ToArray() ?? Array.Empty<string>();
            foreach (var missing in cmdlet.ParameterNames.Except(documented, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{name}: -{missing} is a parameter of the cmdlet but is not documented in the MAML");
            foreach (var extra in documented.Except(cmdlet.ParameterNames, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{name}: the MAML documents -{extra}, which the cmdlet does not have");
            foreach (var duplicate in documented.GroupBy(d => d, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                problems.Add($"{name}: the MAML documents -{duplicate.Key} {duplicate.Count()} times");

            // Every syntax item names only parameters the cmdlet has, and together they name all of them.
            var inSyntax = command.Element(Command + "syntax")?.Elements(Command + "syntaxItem")
                .SelectMany(i => i.Elements(Command + "parameter")).Select(p => (string)p.Element(Maml + "name")!)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToArray() ?? Array.Empty<string>();
            foreach (var missing in cmdlet.ParameterNames.Except(inSyntax, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{name}: -{missing} appears in no MAML syntax item");
            foreach (var extra in inSyntax.Except(cmdlet.ParameterNames, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{name}: a MAML syntax item names -{extra}, which the cmdlet does not have");
            var syntaxItems = command.Element(Command + "syntax")?.Elements(Command + "syntaxItem").Count() ?? 0;
            if (syntaxItems != cmdlet.ParameterSetCount)
                problems.Add($"{name}: the MAML has {syntaxItems} syntax item(s) for {cmdlet.ParameterSetCount} parameter set(s)");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_maml_parameter_metadata_matches_the_parameter_attributes()
    {
        var problems = new List<string>();
        foreach (var (name, cmdlet) in S.Cmdlets)
        {
            var documented = MamlCommand(name).Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => (string)p.Element(Maml + "name")!, StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in cmdlet.Parameters)
            {
                if (!documented.TryGetValue(parameter.Name, out var p)) continue; // reported by the test above
                var where = $"{name} -{parameter.Name}";
                var required = string.Equals((string?)p.Attribute("required"), "true", StringComparison.OrdinalIgnoreCase);
                if (required != parameter.Mandatory)
                    problems.Add($"{where}: MAML required='{(string?)p.Attribute("required")}', the attribute says Mandatory={parameter.Mandatory}");
                var position = (string?)p.Attribute("position") ?? "";
                var expectedPosition = parameter.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named";
                if (!string.Equals(position, expectedPosition, StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{where}: MAML position='{position}', the attribute says {expectedPosition}");
                var aliases = ((string?)p.Attribute("aliases") ?? "none").Split(',').Select(a => a.Trim())
                    .Where(a => a.Length > 0 && !a.Equals("none", StringComparison.OrdinalIgnoreCase));
                if (!Sorted(aliases).SequenceEqual(Sorted(parameter.Aliases)))
                    problems.Add($"{where}: MAML aliases '{(string?)p.Attribute("aliases")}', the cmdlet has '{string.Join(", ", parameter.Aliases)}'");
                var pipeline = (string?)p.Attribute("pipelineInput") ?? "";
                if (pipeline.Contains("ByValue", StringComparison.OrdinalIgnoreCase) != parameter.FromPipeline
                    || pipeline.Contains("ByPropertyName", StringComparison.OrdinalIgnoreCase) != parameter.FromPipelineByPropertyName
                    || pipeline.StartsWith("True", StringComparison.OrdinalIgnoreCase) != (parameter.FromPipeline || parameter.FromPipelineByPropertyName))
                    problems.Add($"{where}: MAML pipelineInput '{pipeline}' does not match ValueFromPipeline={parameter.FromPipeline}, ByPropertyName={parameter.FromPipelineByPropertyName}");
                var type = (string?)p.Element(Dev + "type")?.Element(Maml + "name") ?? "";
                if (!string.Equals(type, parameter.TypeName, StringComparison.Ordinal))
                    problems.Add($"{where}: MAML type '{type}', the property is {parameter.TypeName}");
                var globbing = string.Equals((string?)p.Attribute("globbing"), "true", StringComparison.OrdinalIgnoreCase);
                if (globbing != parameter.Wildcards)
                    problems.Add($"{where}: MAML globbing='{(string?)p.Attribute("globbing")}', SupportsWildcards is {parameter.Wildcards}");
                if (string.IsNullOrWhiteSpace(string.Concat(p.Element(Maml + "description")?.Elements(Maml + "para").Select(e => e.Value) ?? Array.Empty<string>())))
                    problems.Add($"{where}: the MAML description is empty");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_markdown_and_the_maml_agree_on_cmdlets_parameters_and_synopsis()
    {
        Assert.Equal(Sorted(S.MamlCommands.Select(CommandName)), Sorted(S.Markdown.Keys));
        var problems = new List<string>();
        foreach (var (name, markdown) in S.Markdown)
        {
            var command = MamlCommand(name);
            var mamlSynopsis = Normalize(string.Join(" ", command.Element(Command + "details")!.Element(Maml + "description")!
                .Elements(Maml + "para").Select(p => p.Value)));
            if (string.IsNullOrWhiteSpace(markdown.Synopsis))
                problems.Add($"{name}.md has no SYNOPSIS");
            else if (Normalize(markdown.Synopsis) != mamlSynopsis)
                problems.Add($"{name}: the markdown synopsis '{markdown.Synopsis}' is not the MAML synopsis '{mamlSynopsis}'");

            var mamlParameters = command.Element(Command + "parameters")!.Elements(Command + "parameter")
                .Select(p => (string)p.Element(Maml + "name")!);
            if (!Sorted(markdown.Parameters).SequenceEqual(Sorted(mamlParameters)))
                problems.Add($"{name}: the markdown documents {string.Join(", ", Sorted(markdown.Parameters))}; the MAML {string.Join(", ", Sorted(mamlParameters))}");
            if (!Sorted(markdown.Parameters).SequenceEqual(Sorted(S.Cmdlets[name].ParameterNames)))
                problems.Add($"{name}: the markdown documents {string.Join(", ", Sorted(markdown.Parameters))}; the cmdlet has {string.Join(", ", Sorted(S.Cmdlets[name].ParameterNames))}");
            if (markdown.SyntaxBlocks != S.Cmdlets[name].ParameterSetCount)
                problems.Add($"{name}: the markdown has {markdown.SyntaxBlocks} SYNTAX block(s) for {S.Cmdlets[name].ParameterSetCount} parameter set(s)");
            if (markdown.Examples != command.Element(Command + "examples")!.Elements(Command + "example").Count())
                problems.Add($"{name}: the markdown and the MAML have different numbers of examples");
            foreach (var section in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" })
                if (!markdown.Sections.Contains(section)) problems.Add($"{name}.md has no {section} section");
            if (markdown.ExternalHelpFile != "VirtioScsi.PowerShell.dll-Help.xml")
                problems.Add($"{name}.md names the external help file '{markdown.ExternalHelpFile}'");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_cmdlet_has_at_least_two_examples_that_use_it()
    {
        foreach (var name in S.ExportedCmdlets)
        {
            var examples = MamlCommand(name).Element(Command + "examples")?.Elements(Command + "example").ToArray() ?? Array.Empty<XElement>();
            Assert.True(examples.Length >= 2, $"{name} has {examples.Length} example(s) in the MAML; it needs at least two.");
            foreach (var example in examples)
            {
                var title = (string?)example.Element(Maml + "title") ?? "";
                var code = (string?)example.Element(Dev + "code") ?? "";
                Assert.False(string.IsNullOrWhiteSpace(title), $"{name}: an example has no title");
                Assert.Contains(name, code, StringComparison.OrdinalIgnoreCase);
            }
            Assert.True(S.Markdown[name].Examples >= 2, $"{name}.md has {S.Markdown[name].Examples} example(s); it needs at least two.");
        }
    }

    [Fact]
    public void Every_error_id_is_documented_in_the_about_topic()
    {
        var ids = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
        Assert.NotEmpty(ids);
        var missingFromText = ids.Where(id => !Regex.IsMatch(S.AboutText, $@"\b{Regex.Escape(id)}\b")).ToArray();
        Assert.True(missingFromText.Length == 0, "Not in en-US/about_VirtioScsi.help.txt: " + string.Join(", ", missingFromText));
        var missingFromMarkdown = ids.Where(id => !Regex.IsMatch(S.AboutMarkdown, $@"^\|\s*{Regex.Escape(id)}\s*\|", RegexOptions.Multiline)).ToArray();
        Assert.True(missingFromMarkdown.Length == 0, "No troubleshooting row in docs/en-US/about_VirtioScsi.md for: " + string.Join(", ", missingFromMarkdown));
    }

    [Fact]
    public void The_about_topic_has_the_classic_layout_and_the_markdown_sections()
    {
        var lines = S.AboutText.Replace("\r\n", "\n").Split('\n');
        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("about_VirtioScsi", lines[1].Trim());
        Assert.Contains("SHORT DESCRIPTION", lines);
        Assert.Contains("LONG DESCRIPTION", lines);
        foreach (Match heading in Regex.Matches(S.AboutMarkdown, @"^## (.+)$", RegexOptions.Multiline))
            Assert.Contains(heading.Groups[1].Value.Trim().ToUpperInvariant(), lines);
    }

    [Fact]
    public void The_about_topic_names_the_output_types_and_their_properties()
    {
        var types = new[] { typeof(VirtioScsi.Model.DomainScsiTopology), typeof(VirtioScsi.Model.ScsiController), typeof(VirtioScsi.Model.ScsiDisk), typeof(VirtioScsi.Model.LunSource) };
        foreach (var type in types)
        {
            Assert.Contains(type.FullName!, S.AboutText);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                Assert.True(Regex.IsMatch(S.AboutText, $@"\b{property.Name}\b"), $"about_VirtioScsi.help.txt does not mention {type.Name}.{property.Name}");
        }
    }

    private static XElement MamlCommand(string name) =>
        S.MamlCommands.SingleOrDefault(c => string.Equals(CommandName(c), name, StringComparison.OrdinalIgnoreCase))
        ?? throw new Xunit.Sdk.XunitException($"The MAML has no command {name}.");

    private static string CommandName(XElement command) =>
        ((string?)command.Element(Command + "details")?.Element(Command + "name") ?? "").Trim();

    private static string[] Sorted(IEnumerable<string> names) => names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();

    private static string Normalize(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    /// <summary>Everything the tests compare, read once.</summary>
    private sealed class HelpSources
    {
        public string Root { get; private set; } = "";
        public string MamlPath { get; private set; } = "";
        public IReadOnlyList<XElement> MamlCommands { get; private set; } = Array.Empty<XElement>();
        public IReadOnlyList<string> ExportedCmdlets { get; private set; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, CmdletInfo> Cmdlets { get; private set; } = new Dictionary<string, CmdletInfo>();
        public IReadOnlyDictionary<string, MarkdownHelp> Markdown { get; private set; } = new Dictionary<string, MarkdownHelp>();
        public string AboutText { get; private set; } = "";
        public string AboutMarkdown { get; private set; } = "";

        public static HelpSources Load()
        {
            var root = FindRoot();
            var mamlPath = Path.Combine(root, "en-US", "VirtioScsi.PowerShell.dll-Help.xml");
            Assert.True(File.Exists(mamlPath), $"{mamlPath} is missing.");
            var maml = XDocument.Load(mamlPath);
            var docs = Path.Combine(root, "docs", "en-US");
            var markdown = Directory.GetFiles(docs, "*.md")
                .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                .Select(MarkdownHelp.Read)
                .ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
            return new HelpSources
            {
                Root = root,
                MamlPath = mamlPath,
                MamlCommands = maml.Root!.Elements(Command + "command").ToArray(),
                ExportedCmdlets = ReadExportedCmdlets(Path.Combine(root, "VirtioScsi.psd1")),
                Cmdlets = CmdletInfo.ReadAll(Path.Combine(AppContext.BaseDirectory, "VirtioScsi.PowerShell.dll")),
                Markdown = markdown,
                AboutText = File.ReadAllText(Path.Combine(root, "en-US", "about_VirtioScsi.help.txt")),
                AboutMarkdown = File.ReadAllText(Path.Combine(docs, "about_VirtioScsi.md")),
            };
        }

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "VirtioScsi.psd1"))) return dir.FullName;
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds VirtioScsi.psd1.");
        }

        private static string[] ReadExportedCmdlets(string manifest)
        {
            var text = File.ReadAllText(manifest);
            var list = Regex.Match(text, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.Singleline);
            Assert.True(list.Success, "VirtioScsi.psd1 has no CmdletsToExport = @(...) list.");
            return Regex.Matches(list.Groups["list"].Value, @"'([^']+)'|""([^""]+)""")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .ToArray();
        }
    }

    /// <summary>One parameter of a cmdlet class, from its [Parameter], [Alias] and [SupportsWildcards] attributes.</summary>
    private sealed record ParameterInfo(string Name, string TypeName, bool Mandatory, int? Position, bool FromPipeline,
        bool FromPipelineByPropertyName, bool Wildcards, IReadOnlyList<string> Aliases, IReadOnlyList<string> Sets);

    /// <summary>
    /// A cmdlet class read from the module assembly's metadata. MetadataLoadContext enumerates the classes and their
    /// properties; the attributes from System.Management.Automation are decoded from the metadata blobs by their type
    /// names (System.Reflection.Metadata), as CustomAttributeData.AttributeType would have to load that assembly.
    /// </summary>
    private sealed class CmdletInfo
    {
        private const string Sma = "System.Management.Automation.";

        public string Name { get; private init; } = "";
        public IReadOnlyList<ParameterInfo> Parameters { get; private init; } = Array.Empty<ParameterInfo>();
        public int ParameterSetCount { get; private init; }

        public IEnumerable<string> ParameterNames => Parameters.Select(p => p.Name);

        public static IReadOnlyDictionary<string, CmdletInfo> ReadAll(string modulePath)
        {
            Assert.True(File.Exists(modulePath), $"{modulePath} is missing: the test project builds it through its project reference.");
            var runtime = RuntimeEnvironment.GetRuntimeDirectory();
            var resolver = new PathAssemblyResolver(Directory.GetFiles(runtime, "*.dll").Append(modulePath));
            using var context = new MetadataLoadContext(resolver, typeof(object).Assembly.GetName().Name);
            using var pe = new PEReader(File.OpenRead(modulePath));
            var metadata = pe.GetMetadataReader();
            var assembly = context.LoadFromAssemblyPath(modulePath);
            var cmdlets = new Dictionary<string, CmdletInfo>(StringComparer.OrdinalIgnoreCase);
            // Type.IsClass would resolve the base type (PSCmdlet); the metadata flags need nothing resolved.
            foreach (var type in assembly.GetTypes().Where(t => (t.Attributes & (TypeAttributes.Abstract | TypeAttributes.Interface)) == 0))
            {
                var typeAttributes = metadata.GetTypeDefinition((TypeDefinitionHandle)MetadataTokens.EntityHandle(type.MetadataToken)).GetCustomAttributes();
                var cmdlet = Attributes(metadata, typeAttributes, "CmdletAttribute").FirstOrDefault();
                if (cmdlet.FixedArguments.IsDefault) continue;
                var name = $"{cmdlet.FixedArguments[0].Value}-{cmdlet.FixedArguments[1].Value}";
                var parameters = new List<ParameterInfo>();
                foreach (var property in PublicProperties(type))
                {
                    var definition = metadata.GetPropertyDefinition((PropertyDefinitionHandle)MetadataTokens.EntityHandle(property.MetadataToken));
                    var attributes = definition.GetCustomAttributes();
                    var parameterAttributes = Attributes(metadata, attributes, "ParameterAttribute").ToArray();
                    if (parameterAttributes.Length == 0) continue;
                    var aliases = Attributes(metadata, attributes, "AliasAttribute")
                        .SelectMany(a => a.FixedArguments)
                        .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument<string>> values ? values.Select(v => (string)v.Value!) : new[] { (string)arg.Value! })
                        .ToArray();
                    int? position = null;
                    foreach (var a in parameterAttributes)
                        if (Named(a, "Position") is int p && p != int.MinValue) position = p;
                    parameters.Add(new ParameterInfo(
                        property.Name,
                        definition.DecodeSignature(new TypeNames(), null).ReturnType,
                        parameterAttributes.Any(a => Named(a, "Mandatory") is true),
                        position,
                        parameterAttributes.Any(a => Named(a, "ValueFromPipeline") is true),
                        parameterAttributes.Any(a => Named(a, "ValueFromPipelineByPropertyName") is true),
                        Attributes(metadata, attributes, "SupportsWildcardsAttribute").Any(),
                        aliases,
                        parameterAttributes.Select(a => Named(a, "ParameterSetName") as string ?? "__AllParameterSets").ToArray()));
                }
                if (Named(cmdlet, "SupportsShouldProcess") is true)
                {
                    parameters.Add(new ParameterInfo("WhatIf", "SwitchParameter", false, null, false, false, false, new[] { "wi" }, new[] { "__AllParameterSets" }));
                    parameters.Add(new ParameterInfo("Confirm", "SwitchParameter", false, null, false, false, false, new[] { "cf" }, new[] { "__AllParameterSets" }));
                }
                var sets = parameters.SelectMany(p => p.Sets).Where(s => s != "__AllParameterSets").Distinct().Count();
                cmdlets[name] = new CmdletInfo { Name = name, Parameters = parameters, ParameterSetCount = Math.Max(1, sets) };
            }
            Assert.True(cmdlets.Count > 0, $"No class with [Cmdlet] was found in {modulePath}.");
            return cmdlets;
        }

        /// <summary>
        /// The public instance properties of the class and its base classes inside the module (VirtioScsiCmdlet's
        /// -ConnectionUri); the walk stops at PSCmdlet, whose assembly this context cannot load.
        /// </summary>
        private static IEnumerable<PropertyInfo> PublicProperties(Type type)
        {
            var module = type.Assembly;
            var seen = new HashSet<string>();
            for (Type? t = type; t is not null && t.Assembly == module; t = BaseTypeInModule(t))
            {
                foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                    if (seen.Add(property.Name)) yield return property;
            }
        }

        private static Type? BaseTypeInModule(Type type)
        {
            try
            {
                return type.BaseType;
            }
            catch (FileNotFoundException)
            {
                return null; // System.Management.Automation's PSCmdlet: the end of the module's own classes.
            }
        }

        /// <summary>The decoded attributes whose type is System.Management.Automation.&lt;name&gt;.</summary>
        private static IEnumerable<CustomAttributeValue<string>> Attributes(MetadataReader metadata, CustomAttributeHandleCollection handles, string name)
        {
            foreach (var handle in handles)
            {
                var attribute = metadata.GetCustomAttribute(handle);
                if (AttributeTypeName(metadata, attribute) == Sma + name) yield return attribute.DecodeValue(new TypeNames());
            }
        }

        private static string? AttributeTypeName(MetadataReader metadata, CustomAttribute attribute)
        {
            EntityHandle parent;
            if (attribute.Constructor.Kind == HandleKind.MemberReference)
                parent = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
                parent = metadata.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
            else return null;
            return parent.Kind switch
            {
                HandleKind.TypeReference => FullName(metadata, metadata.GetTypeReference((TypeReferenceHandle)parent)),
                HandleKind.TypeDefinition => FullName(metadata, metadata.GetTypeDefinition((TypeDefinitionHandle)parent)),
                _ => null,
            };
        }

        private static string FullName(MetadataReader metadata, TypeReference type) =>
            metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name);

        private static string FullName(MetadataReader metadata, TypeDefinition type) =>
            metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name);

        private static object? Named(CustomAttributeValue<string> attribute, string name) =>
            attribute.NamedArguments.Where(a => a.Name == name).Select(a => a.Value).FirstOrDefault();

        /// <summary>
        /// Type names as PowerShell's help shows them (Int32, String[], SwitchParameter; Nullable&lt;Int32&gt; as
        /// Int32), decoded from signatures and attribute blobs without loading any referenced assembly.
        /// </summary>
        private sealed class TypeNames : ISignatureTypeProvider<string, object?>, ICustomAttributeTypeProvider<string>
        {
            public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
            {
                PrimitiveTypeCode.Boolean => "Boolean",
                PrimitiveTypeCode.Int32 => "Int32",
                PrimitiveTypeCode.Int64 => "Int64",
                PrimitiveTypeCode.String => "String",
                PrimitiveTypeCode.Object => "Object",
                _ => typeCode.ToString(),
            };

            public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
                reader.GetString(reader.GetTypeDefinition(handle).Name);

            public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
                reader.GetString(reader.GetTypeReference(handle).Name);

            public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
                reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

            public string GetGenericInstantiation(string genericType, System.Collections.Immutable.ImmutableArray<string> typeArguments) =>
                genericType == "Nullable`1" ? typeArguments[0] : $"{genericType}[{string.Join(",", typeArguments)}]";

            public string GetSZArrayType(string elementType) => elementType + "[]";
            public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
            public string GetByReferenceType(string elementType) => elementType;
            public string GetPointerType(string elementType) => elementType + "*";
            public string GetPinnedType(string elementType) => elementType;
            public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
            public string GetFunctionPointerType(MethodSignature<string> signature) => "IntPtr";
            public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
            public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
            public string GetSystemType() => "Type";
            public bool IsSystemType(string type) => type is "Type" or "System.Type";
            public string GetTypeFromSerializedName(string name) => name;
            // Enums in attributes (ConfirmImpact) are int-based.
            public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        }
    }

    /// <summary>One cmdlet's platyPS markdown (docs/en-US/&lt;Cmdlet&gt;.md), read as far as the tests need.</summary>
    private sealed class MarkdownHelp
    {
        public string Name { get; private init; } = "";
        public string ExternalHelpFile { get; private init; } = "";
        public string Synopsis { get; private init; } = "";
        public IReadOnlyList<string> Parameters { get; private init; } = Array.Empty<string>();
        public IReadOnlySet<string> Sections { get; private init; } = new HashSet<string>();
        public int Examples { get; private init; }
        public int SyntaxBlocks { get; private init; }

        public static MarkdownHelp Read(string path)
        {
            var lines = File.ReadAllLines(path);
            var frontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var start = 0;
            if (lines.Length > 0 && lines[0] == "---")
            {
                var end = Array.IndexOf(lines, "---", 1);
                foreach (var line in lines.Skip(1).Take(end - 1))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0) frontMatter[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
                }
                start = end + 1;
            }
            string? name = null, section = null;
            var sections = new HashSet<string>();
            var synopsis = new List<string>();
            var parameters = new List<string>();
            int examples = 0, syntaxBlocks = 0;
            var inFence = false;
            foreach (var line in lines.Skip(start))
            {
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    if (!inFence && section == "SYNTAX") syntaxBlocks++;
                    inFence = !inFence;
                    continue;
                }
                if (inFence) continue;
                if (line.StartsWith("# ", StringComparison.Ordinal)) { name ??= line.Substring(2).Trim(); continue; }
                if (line.StartsWith("## ", StringComparison.Ordinal)) { section = line.Substring(3).Trim(); sections.Add(section); continue; }
                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    var heading = line.Substring(4).Trim();
                    if (section == "PARAMETERS" && heading.StartsWith("-", StringComparison.Ordinal)) parameters.Add(heading.Substring(1));
                    if (section == "EXAMPLES") examples++;
                    continue;
                }
                if (section == "SYNOPSIS" && line.Trim().Length > 0) synopsis.Add(line.Trim());
            }
            return new MarkdownHelp
            {
                Name = name ?? Path.GetFileNameWithoutExtension(path),
                ExternalHelpFile = frontMatter.TryGetValue("external help file", out var file) ? file : "",
                Synopsis = string.Join(" ", synopsis),
                Parameters = parameters,
                Sections = sections,
                Examples = examples,
                SyntaxBlocks = syntaxBlocks,
            };
        }
    }
}
