namespace StratumAI.Analyzers.Tests.Infrastructure;

/// <summary>Wraps members in a partial class that has a StratumClient, as a user would write it.</summary>
internal static class Sources
{
    public static string InClass(string members) => """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using StratumAI;

        namespace App;

        public sealed record Person(string Name, int Age);

        internal partial class Assistant(StratumClient llm)
        {
            public StratumClient Client => llm;

        """ + members + """

        }
        """;
}
