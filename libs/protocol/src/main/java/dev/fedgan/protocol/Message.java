package dev.fedgan.protocol;

/** Every message: a schema version and the experiment it belongs to. */
public sealed interface Message permits ExperimentRequest, PopulationReady, RoundTask, ClientUpdateReady,
        RoundCompleted, ImagesReady, DeadLetter, FairnessSweepRequest, FairnessPointTask, FairnessPointDone,
        FairnessRoundTask, FairnessUpdateReady, RgbRequest, RgbRunTask, RgbRoundTask, RgbUpdateReady, RgbRoundDone,
        RoundOpened, RoundClosing, ShareReady {

    int schema();

    String experimentId();
}
