import GRDB
import Yams
public enum EngineProbe {}
