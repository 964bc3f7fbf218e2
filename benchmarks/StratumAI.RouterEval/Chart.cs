using System.Globalization;

namespace StratumAI.RouterEval;

/// <summary>Draws one cost–accuracy panel per dataset into a PNG.</summary>
internal static class Chart
{
    private static readonly (byte, byte, byte) Black = (0, 0, 0);
    private static readonly (byte, byte, byte) Grey = (150, 150, 150);
    private static readonly (byte, byte, byte) LightGrey = (225, 225, 225);
    private static readonly (byte, byte, byte) Blue = (31, 119, 180);
    private static readonly (byte, byte, byte) Orange = (230, 120, 20);
    private static readonly (byte, byte, byte) Green = (44, 160, 44);
    private static readonly (byte, byte, byte) Red = (214, 39, 40);

    public static void Draw(IReadOnlyList<Panel> panels, string path)
    {
        const int PanelW = 620, PanelH = 430, Legend = 70;
        var columns = 2;
        var rowsCount = (panels.Count + 1) / 2;
        var canvas = new Canvas(PanelW * columns, (PanelH * rowsCount) + Legend);
        for (var i = 0; i < panels.Count; i++)
        {
            DrawPanel(canvas, panels[i], (i % columns) * PanelW, (i / columns) * PanelH, PanelW, PanelH);
        }

        var y = (PanelH * rowsCount) + 12;
        var x = 20;
        x = Key(canvas, x, y, Grey, "single models", dot: true);
        x = Key(canvas, x, y, Grey, "random (best/cheapest)", dashed: true);
        x = Key(canvas, x, y, Blue, "hybrid, lambda sweep");
        _ = Key(canvas, x, y, Orange, "cost, ratio sweep");
        x = 20;
        y += 28;
        x = Key(canvas, x, y, Green, "oracle", dot: true);
        x = Key(canvas, x, y, Red, "cost (tuned ratio)", square: true);
        _ = Key(canvas, x, y, Black, "quality strategy", square: true);
        canvas.SavePng(path);
    }

    private static int Key(Canvas c, int x, int y, (byte, byte, byte) color, string label, bool dot = false, bool dashed = false, bool square = false)
    {
        if (dot)
        {
            c.Dot(x + 10, y + 7, 5, color);
        }
        else if (square)
        {
            c.Square(x + 10, y + 7, 5, color);
        }
        else
        {
            c.Line(x, y + 7, x + 22, y + 7, color, 3, dashed);
        }

        c.Text(x + 30, y, label, Black);
        return x + 30 + Canvas.TextWidth(label) + 24;
    }

    private static void DrawPanel(Canvas c, Panel p, int ox, int oy, int w, int h)
    {
        const int Left = 70, Right = 45, Top = 40, Bottom = 50;
        var maxCost = p.Singles.Max(s => s.Cost) * 1.05;
        var points = p.Singles.Select(s => s.Acc).Concat(p.Hybrid.Select(s => s.Acc)).Concat(p.CostCurve.Select(s => s.Acc)).Append(p.Oracle.Acc).ToArray();
        var minAcc = Math.Floor(points.Min() * 10) / 10;
        var maxAcc = Math.Min(1.0, Math.Ceiling(points.Max() * 10) / 10);
        double X(double cost) => ox + Left + (cost / maxCost * (w - Left - Right));
        double Y(double acc) => oy + h - Bottom - ((acc - minAcc) / (maxAcc - minAcc) * (h - Top - Bottom));

        c.Text(ox + Left, oy + 12, p.Title, Black);
        for (var t = 0; t <= 5; t++)
        {
            var acc = minAcc + ((maxAcc - minAcc) * t / 5);
            c.Line(X(0), Y(acc), X(maxCost), Y(acc), LightGrey);
            c.Text(ox + 8, (int)Y(acc) - 7, acc.ToString("0.00", CultureInfo.InvariantCulture), Black);
            var cost = maxCost * t / 5;
            c.Line(X(cost), Y(minAcc), X(cost), Y(maxAcc), LightGrey);
            var label = "$" + cost.ToString(cost < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);
            c.Text((int)X(cost) - (Canvas.TextWidth(label) / 2), oy + h - Bottom + 8, label, Black);
        }

        c.Line(X(0), Y(minAcc), X(maxCost), Y(minAcc), Black, 2);
        c.Line(X(0), Y(minAcc), X(0), Y(maxAcc), Black, 2);
        c.Text(ox + (w / 2) - 90, oy + h - 22, "total test cost (USD)", Black);

        c.Line(X(p.Cheapest.Cost), Y(p.Cheapest.Acc), X(p.Best.Cost), Y(p.Best.Acc), Grey, 2, dashed: true);
        foreach (var s in p.Singles)
        {
            c.Dot(X(s.Cost), Y(s.Acc), 5, Grey);
        }

        Curve(c, p.CostCurve, X, Y, Orange);
        Curve(c, p.Hybrid, X, Y, Blue);
        c.Dot(X(p.Oracle.Cost), Y(p.Oracle.Acc), 6, Green);
        c.Square(X(p.CostPoint.Cost), Y(p.CostPoint.Acc), 6, Red);
        c.Square(X(p.QualityPoint.Cost), Y(p.QualityPoint.Acc), 4, Black);
    }

    private static void Curve(Canvas c, List<(double Cost, double Acc)> points, Func<double, double> x, Func<double, double> y, (byte, byte, byte) color)
    {
        var sorted = points.OrderBy(p => p.Cost).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            c.Line(x(sorted[i - 1].Cost), y(sorted[i - 1].Acc), x(sorted[i].Cost), y(sorted[i].Acc), color, 2);
        }

        foreach (var p in sorted)
        {
            c.Dot(x(p.Cost), y(p.Acc), 3, color);
        }
    }
}
