package io.github.flinktinybird.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The emulator's per-Data-Source budget, walked with a hand-held clock. */
class DataSourceQuotasTest {

    private static final long MS = 1_000_000L;

    /**
     * One Data Source, quota 3 requests/s: each row is one request at a time (ms from the first)
     * and what it is answered.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // step            | at ms sequence | admitted     | remaining  | reset
        "three fit          | 0,10,20        | T,T,T        | 2,1,0      | 1,1,1",
        "fourth is refused  | 0,10,20,30     | T,T,T,F      | 2,1,0,0    | 1,1,1,1",
        "refusals use none  | 0,1,2,3,4,999  | T,T,T,F,F,F  | 2,1,0,0,0,0| 1,1,1,1,1,1",
        "next window is full| 0,1,2,3,1000   | T,T,T,F,T    | 2,1,0,0,2  | 1,1,1,1,1",
        "window starts late | 500,1400,1499,1500,1501 | T,T,T,T,T | 2,1,0,2,1 | 1,1,1,1,1",
    })
    void requestQuotaPerOneSecondWindow(String step, String at, String admitted, String remaining, String reset) {
        DataSourceQuotas quotas = new DataSourceQuotas(3, 0);
        String[] times = at.split(",");
        for (int i = 0; i < times.length; i++) {
            DataSourceQuotas.Verdict verdict = quotas.admit("events", 10, Long.parseLong(times[i]) * MS);

            assertThat(verdict.admitted).as("%s: request %d admitted", step, i).isEqualTo(admitted.split(",")[i].equals("T"));
            assertThat(verdict.limit).isEqualTo(3);
            assertThat(verdict.remaining).as("%s: request %d remaining", step, i).isEqualTo(Long.parseLong(remaining.split(",")[i]));
            assertThat(verdict.resetSeconds).as("%s: request %d reset", step, i).isEqualTo(Long.parseLong(reset.split(",")[i]));
            assertThat(verdict.exceeded).isEqualTo(verdict.admitted ? null : "requests");
        }
    }

    @Test
    void theBudgetIsPerDataSource() {
        DataSourceQuotas quotas = new DataSourceQuotas(1, 0);

        assertThat(quotas.admit("a", 1, 0).admitted).isTrue();
        assertThat(quotas.admit("a", 1, MS).admitted).isFalse();
        assertThat(quotas.admit("b", 1, 2 * MS).admitted).as("another Data Source has its own budget").isTrue();
    }

    @Test
    void byteQuotaAdmitsTheFirstRequestOfAWindowHoweverLargeThenRefusesWhatWouldGoOver() {
        DataSourceQuotas quotas = new DataSourceQuotas(0, 1_000);

        assertThat(quotas.admit("events", 5_000, 0).admitted).as("first of the window").isTrue();
        DataSourceQuotas.Verdict over = quotas.admit("events", 1, MS);
        assertThat(over.admitted).isFalse();
        assertThat(over.exceeded).isEqualTo("bytes");
        assertThat(over.resetSeconds).isEqualTo(1);
        assertThat(quotas.admit("events", 600, 1_000 * MS).admitted).as("a new window").isTrue();
        assertThat(quotas.admit("events", 400, 1_001 * MS).admitted).as("exactly at the quota").isTrue();
        assertThat(quotas.admit("events", 1, 1_002 * MS).admitted).isFalse();
    }

    @Test
    void withoutARequestQuotaTheLimitIsAnnouncedAndCountedButNotEnforced() {
        DataSourceQuotas quotas = new DataSourceQuotas(0, 0);
        DataSourceQuotas.Verdict last = null;
        for (int i = 0; i < 150; i++) {
            last = quotas.admit("events", 1, i * 1_000L);
            assertThat(last.admitted).isTrue();
        }
        assertThat(last.limit).isEqualTo(DataSourceQuotas.ANNOUNCED_LIMIT);
        assertThat(last.remaining).isZero();
    }

    @Test
    void peekTellsTheStateWithoutUsingBudget() {
        DataSourceQuotas quotas = new DataSourceQuotas(2, 0);
        quotas.admit("events", 1, 0);

        assertThat(quotas.peek("events", MS).remaining).isEqualTo(1);
        assertThat(quotas.peek("events", 2 * MS).remaining).isEqualTo(1);
        assertThat(quotas.admit("events", 1, 3 * MS).admitted).isTrue();
    }
}
