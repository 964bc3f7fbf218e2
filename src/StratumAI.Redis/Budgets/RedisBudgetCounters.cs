namespace StratumAI.Redis;

/// <summary>
/// What a <see cref="RedisBudgetStore"/>'s key prefix has seen, summed over every process: how reservations ended. For
/// monitoring (a growing <see cref="Expired"/> means processes die holding reservations) and for tests.
/// </summary>
/// <param name="Reserved">Reservations made.</param>
/// <param name="Settled">Open reservations settled to a cost.</param>
/// <param name="Released">Open reservations released (the call cost nothing).</param>
/// <param name="Expired">Reservations whose lease ended before they were completed (their process died or stalled); their amount was given back.</param>
/// <param name="LateSettled">Settlements of reservations that were not open any more (lease ended) or never recorded (admitted while the store was unreachable with <see cref="RedisBudgetOptions.FailOpen"/>): their cost was added all the same.</param>
/// <param name="LateReleased">Releases of reservations that were not open any more: nothing to give back.</param>
/// <param name="Refused">Reservations refused because a window was full.</param>
/// <param name="Charged">Unreserved charges (<see cref="BudgetManager.ChargeAsync"/>).</param>
/// <param name="Open">Reservations holding a lease now.</param>
public sealed record RedisBudgetCounters(long Reserved, long Settled, long Released, long Expired, long LateSettled, long LateReleased, long Refused, long Charged, long Open);
